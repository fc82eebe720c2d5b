// The device a command runs on, chosen in one place for train, eval, stylize, sample and bench:
// the --device option (auto | cpu | cuda | cuda:N) parsed once and held against what the node has.
#pragma once

#include <c10/core/Device.h>

#include <string>

namespace varstyle {

struct DeviceRequest {
  enum class Kind { kAuto, kCpu, kCuda };
  Kind kind = Kind::kAuto;
  int index = -1;            // cuda:N; -1: the node-local rank's GPU
  std::string text = "auto";  // as given, for messages
};

// What this process can use: a LibTorch built with CUDA, and how many GPUs it sees.
struct CudaAvailability {
  bool built = false;
  int devices = 0;
};

// Why `text` is not auto, cpu, cuda or cuda:N, or "" when it is one (a CLI11 validator's answer).
std::string device_request_problem(const std::string& text);
// Throws ConfigError naming `option` for anything device_request_problem refuses.
DeviceRequest parse_device_request(const std::string& text, const std::string& option = "--device");

// auto: the GPU of node-local rank `local_rank` when there are GPUs, else the CPU; cuda: the same
// GPU, required; cuda:N: GPU N. Refused (ConfigError naming the option): cuda without CUDA, N past
// the node's GPUs, and more local ranks than GPUs when each rank takes its own.
c10::Device choose_device(const DeviceRequest& request, const CudaAvailability& cuda, int local_rank = 0,
                          int local_size = 1);

CudaAvailability cuda_availability();
// choose_device against this process's LibTorch and GPUs.
c10::Device pick_device(const DeviceRequest& request, int local_rank = 0, int local_size = 1);

}  // namespace varstyle
