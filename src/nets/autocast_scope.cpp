// AutocastScope: the version switch lives here only; the CPU's bf16 support from /proc/cpuinfo.
#include "nets/autocast_scope.h"

#include <ATen/autocast_mode.h>
#include <spdlog/spdlog.h>
#include <torch/version.h>

#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "core/error.h"

// LibTorch 2.4 replaced set_enabled / set_autocast_gpu_dtype (CUDA) and set_cpu_enabled /
// set_autocast_cpu_dtype (CPU) by calls that take the device type, and warns on every call of the
// old ones.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define VARSTYLE_AUTOCAST_PER_DEVICE 1
#endif

namespace varstyle {

namespace {

void set_autocast(c10::DeviceType device, bool enabled) {
#ifdef VARSTYLE_AUTOCAST_PER_DEVICE
  if (enabled) at::autocast::set_autocast_dtype(device, at::kBFloat16);
  at::autocast::set_autocast_enabled(device, enabled);
#else
  if (device == c10::kCPU) {
    if (enabled) at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
    at::autocast::set_cpu_enabled(enabled);
  } else {
    if (enabled) at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
    at::autocast::set_enabled(enabled);
  }
#endif
}

}  // namespace

AutocastScope::AutocastScope(bool enabled, c10::DeviceType device) : enabled_(enabled), device_(device) {
  if (!enabled_) return;
  if (device_ != c10::kCPU && device_ != c10::kCUDA)
    throw ConfigError(fmt::format("bf16: autocast runs on cpu or cuda, not on {}", c10::DeviceTypeName(device_, /*lower_case=*/true)));
  set_autocast(device_, true);
}

AutocastScope::~AutocastScope() {
  if (!enabled_) return;
  try {
    set_autocast(device_, false);
    at::autocast::clear_cache();
  } catch (...) {
    // Only flips thread-local flags; nothing here is expected to throw, and a destructor must not.
  }
}

bool autocast_enabled(c10::DeviceType device) {
#ifdef VARSTYLE_AUTOCAST_PER_DEVICE
  return at::autocast::is_autocast_enabled(device);
#else
  return device == c10::kCPU ? at::autocast::is_cpu_enabled() : at::autocast::is_enabled();
#endif
}

bool cpuinfo_has_native_bf16(const std::string& cpuinfo) {
  std::istringstream lines(cpuinfo);
  for (std::string line; std::getline(lines, line);) {
    const auto colon = line.find(':');
    if (line.rfind("flags", 0) != 0 || colon == std::string::npos) continue;
    std::istringstream words(line.substr(colon + 1));
    for (std::string flag; words >> flag;)
      if (flag == "avx512_bf16" || flag == "amx_bf16") return true;
  }
  return false;
}

bool cpu_has_native_bf16() {
  std::ifstream in("/proc/cpuinfo");
  std::stringstream text;
  text << in.rdbuf();
  return cpuinfo_has_native_bf16(text.str());
}

void log_bf16_choice(bool bf16, const c10::Device& device) {
  if (!bf16) return;
  if (!device.is_cpu()) {
    spdlog::info("bf16: autocast on {} (feature statistics fp32, W2 fp64)", device.str());
  } else if (cpu_has_native_bf16()) {
    spdlog::info("bf16: autocast on the CPU, which has native bf16 (avx512_bf16 or amx_bf16 in /proc/cpuinfo); "
                 "feature statistics fp32, W2 fp64");
  } else {
    spdlog::warn("bf16: this CPU has no native bf16 (neither avx512_bf16 nor amx_bf16 in /proc/cpuinfo): oneDNN "
                 "emulates it and bf16 runs slower than fp32; leave bf16 off here");
  }
}

}  // namespace varstyle
