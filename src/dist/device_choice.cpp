// --device parsing and the choice of a device against the node's GPUs.
#include "dist/device_choice.h"

#include <c10/core/impl/DeviceGuardImplInterface.h>
#include <torch/cuda.h>

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "core/error.h"

namespace varstyle {

namespace {

constexpr const char* kChoices = "auto, cpu, cuda or cuda:N";
constexpr int kMaxDeviceIndex = 127;  // c10::DeviceIndex is 8 bits wide in LibTorch 1.x; any node has fewer GPUs

bool all_digits(const std::string& text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

std::string no_cuda_reason(const CudaAvailability& cuda) {
  return cuda.built ? "no CUDA device is visible to this process (check the driver and CUDA_VISIBLE_DEVICES)"
                    : "this build's LibTorch has no CUDA (build against a CUDA LibTorch, or use --device cpu)";
}

}  // namespace

std::string device_request_problem(const std::string& text) {
  if (text == "auto" || text == "cpu" || text == "cuda") return "";
  if (text.rfind("cuda:", 0) == 0) {
    const std::string index = text.substr(5);
    if (all_digits(index) && index.size() <= 3 && std::stoi(index) <= kMaxDeviceIndex) return "";
    return fmt::format("'{}': the GPU number after cuda: must be a whole number from 0 to {}", text, kMaxDeviceIndex);
  }
  return fmt::format("'{}' is not {}", text, kChoices);
}

DeviceRequest parse_device_request(const std::string& text, const std::string& option) {
  const std::string problem = device_request_problem(text);
  if (!problem.empty()) throw ConfigError(fmt::format("{}: {}", option, problem));
  DeviceRequest request;
  request.text = text;
  if (text == "cpu") request.kind = DeviceRequest::Kind::kCpu;
  if (text.rfind("cuda", 0) == 0) request.kind = DeviceRequest::Kind::kCuda;
  if (text.rfind("cuda:", 0) == 0) request.index = std::stoi(text.substr(5));
  return request;
}

c10::Device choose_device(const DeviceRequest& request, const CudaAvailability& cuda, int local_rank, int local_size) {
  using Kind = DeviceRequest::Kind;
  if (request.kind == Kind::kCpu || (request.kind == Kind::kAuto && cuda.devices == 0)) return c10::Device(c10::kCPU);
  if (cuda.devices == 0) throw ConfigError(fmt::format("--device {}: {}", request.text, no_cuda_reason(cuda)));
  if (request.index >= 0) {
    if (request.index >= cuda.devices)
      throw ConfigError(fmt::format("--device {}: this node has {} GPU(s), cuda:0 to cuda:{}", request.text,
                                    cuda.devices, cuda.devices - 1));
    return c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(request.index));
  }
  // One GPU per node-local rank: two ranks on one GPU would be refused by NCCL and slow elsewhere.
  if (local_size > cuda.devices)
    throw ConfigError(fmt::format("--device {}: {} ranks share this node but it has {} GPU(s): start at most one "
                                  "rank per GPU, or name one GPU for all (cuda:N) or the CPU",
                                  request.text, local_size, cuda.devices));
  return c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(local_rank));
}

CudaAvailability cuda_availability() {
  CudaAvailability cuda;
  // The CUDA guard is registered when LibTorch's CUDA library is loaded, GPUs or not.
  cuda.built = c10::impl::hasDeviceGuardImpl(c10::kCUDA);
  cuda.devices = cuda.built ? static_cast<int>(torch::cuda::device_count()) : 0;
  return cuda;
}

c10::Device pick_device(const DeviceRequest& request, int local_rank, int local_size) {
  return choose_device(request, cuda_availability(), local_rank, local_size);
}

}  // namespace varstyle
