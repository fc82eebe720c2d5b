// The trainable parameters and their gradients in two contiguous buffers, each parameter's value
// and .grad a view of its slice. Laid out in reverse registration order, the order in which
// backward produces gradients, so that the gradient reducer's buckets are contiguous ranges it
// all-reduces in place, and the optimiser updates every parameter in one pass over each buffer.
#pragma once

#include <ATen/ATen.h>

#include <vector>

namespace varstyle {

class FlatParameters {
 public:
  // Copies the values in and points every parameter at its slice. Every parameter must share one
  // dtype and device (the trainer's are fp32 on the rank's device; bf16 is autocast, not storage).
  explicit FlatParameters(std::vector<at::Tensor> parameters);

  const std::vector<at::Tensor>& parameters() const { return parameters_; }
  const at::Tensor& values() const { return values_; }
  const at::Tensor& grads() const { return grads_; }
  int64_t offset(size_t parameter) const { return offsets_[parameter]; }
  int64_t numel(size_t parameter) const { return parameters_[parameter].numel(); }
  // One fill: the views stay defined, so autograd accumulates into them in place.
  void zero_grad() { grads_.zero_(); }
  // Parameter `i`'s slice of `flat` (a buffer laid out like values()), in the parameter's shape.
  at::Tensor view(const at::Tensor& flat, size_t parameter) const;

 private:
  std::vector<at::Tensor> parameters_;
  std::vector<int64_t> offsets_;
  at::Tensor values_, grads_;
};

}  // namespace varstyle
