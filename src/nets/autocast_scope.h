// bf16 autocast for one forward pass on CUDA or the CPU, through the API of the LibTorch found at
// build time; whether this CPU runs bf16 natively (AVX512-BF16 or AMX), said once in the log.
#pragma once

#include <ATen/ATen.h>
#include <c10/core/Device.h>
#include <c10/core/impl/LocalDispatchKeySet.h>

#include <string>

namespace varstyle {

class AutocastScope {
 public:
  // enabled == false (bf16 off) makes no autocast call at all; on, the networks run in bf16 on
  // `device` (CUDA or CPU) while feature statistics stay fp32 and W2 fp64 (feature_statistics.h).
  AutocastScope(bool enabled, c10::DeviceType device);
  ~AutocastScope();  // turns autocast off again and drops its cast cache; never throws
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool enabled_;
  c10::DeviceType device_;
};

// Turns autocast off for its scope, on every device: what must stay in fp32 or fp64 under bf16
// (feature statistics, W2, the colour transform of wae and linear) runs inside one.
struct NoAutocast {
  c10::impl::ExcludeDispatchKeyGuard guard{c10::autocast_dispatch_keyset};
};

// Whether autocast is on for `device` (CUDA or CPU) in this thread.
bool autocast_enabled(c10::DeviceType device);

// `forward` (tensors -> tensor) wrapped to run under AutocastScope(bf16, device) and return its
// result in fp32: the one way stylize, sample, eval and bench run a model in bf16, so that what
// they write or measure is an fp32 image either way.
template <typename Forward>
auto autocast_forward(bool bf16, const c10::Device& device, Forward forward) {
  return [bf16, type = device.type(), forward](const auto&... inputs) {
    at::Tensor result;
    {
      AutocastScope scope(bf16, type);
      result = forward(inputs...);
    }
    return result.to(at::kFloat);
  };
}

// Whether /proc/cpuinfo's `flags` lines name a native bf16 instruction set (avx512_bf16 or
// amx_bf16): oneDNN's bf16 convolutions run on those; elsewhere they are emulated, slower than fp32.
bool cpuinfo_has_native_bf16(const std::string& cpuinfo);
bool cpu_has_native_bf16();  // this machine's /proc/cpuinfo (false when it cannot be read)

// Logs once per call whether bf16 is on for `device`, and warns when it is on for a CPU without
// native bf16 (the run is then slower than fp32, not faster). Nothing when bf16 is off.
void log_bf16_choice(bool bf16, const c10::Device& device);

}  // namespace varstyle
