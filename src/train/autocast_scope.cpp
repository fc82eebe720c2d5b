// AutocastScope: the version switch lives here only.
#include "train/autocast_scope.h"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

// LibTorch 2.4 replaced set_enabled / set_autocast_gpu_dtype by calls that take the device type,
// and warns on every call of the old ones.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define VARSTYLE_AUTOCAST_PER_DEVICE 1
#endif

namespace varstyle {

namespace {

void set_cuda_autocast(bool enabled) {
#ifdef VARSTYLE_AUTOCAST_PER_DEVICE
  if (enabled) at::autocast::set_autocast_dtype(at::kCUDA, at::kBFloat16);
  at::autocast::set_autocast_enabled(at::kCUDA, enabled);
#else
  if (enabled) at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
  at::autocast::set_enabled(enabled);
#endif
}

}  // namespace

AutocastScope::AutocastScope(bool enabled) : enabled_(enabled) {
  if (enabled_) set_cuda_autocast(true);
}

AutocastScope::~AutocastScope() {
  if (!enabled_) return;
  try {
    set_cuda_autocast(false);
    at::autocast::clear_cache();
  } catch (...) {
    // Only flips thread-local flags; nothing here is expected to throw, and a destructor must not.
  }
}

bool cuda_autocast_enabled() {
#ifdef VARSTYLE_AUTOCAST_PER_DEVICE
  return at::autocast::is_autocast_enabled(at::kCUDA);
#else
  return at::autocast::is_enabled();
#endif
}

}  // namespace varstyle
