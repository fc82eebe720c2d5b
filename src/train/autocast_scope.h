// bf16 autocast on CUDA for one forward pass, through the API of the LibTorch found at build time:
// the per-device calls from LibTorch 2.4 on, the CUDA-only calls they deprecate before that.
#pragma once

namespace varstyle {

class AutocastScope {
 public:
  // enabled == false (bf16 off, or not on CUDA) makes no autocast call at all.
  explicit AutocastScope(bool enabled);
  ~AutocastScope();  // turns CUDA autocast off and drops its cast cache; never throws
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool enabled_;
};

// Whether CUDA autocast is on for this thread.
bool cuda_autocast_enabled();

}  // namespace varstyle
