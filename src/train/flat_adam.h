// Adam over the flat parameter and gradient buffers (dist/flat_parameters.h): one pass of a few
// element-wise operations over each buffer instead of a loop over every parameter. The step
// count and the decision to skip a step live on the device, so that a step skipped for a
// non-finite loss (train.on_nonfinite: skip) needs no host read: a skipped step leaves the
// parameters, both moments and the count as they were. The arithmetic is LibTorch's Adam's, in
// its order, so on the CPU the result is the same bit for bit (tested). Every parameter takes
// every step (an unused one with a zero gradient), as every rank's does after the all-reduce.
#pragma once

#include <ATen/ATen.h>

#include <map>
#include <string>

#include "dist/consistency.h"
#include "dist/flat_parameters.h"

namespace varstyle {

struct AdamSettings {
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.0;
};

class FlatAdam {
 public:
  FlatAdam(FlatParameters& flat, const AdamSettings& settings);

  // One update with learning rate `lr`; `apply` is a 0-dim bool tensor on the parameters' device
  // (false: the step is skipped), or undefined for always.
  void step(double lr, const at::Tensor& apply = at::Tensor());
  // Scales the gradients so that their global 2-norm is at most `max_norm` (optim.grad_clip), on
  // the device; the norm is over the flat buffer, which equals the norm of the per-parameter norms.
  void clip_grad_norm(double max_norm);

  // "NAME.step", "NAME.exp_avg", "NAME.exp_avg_sq" per parameter, the names checkpoints have
  // always used (LibTorch's Adam's state); before the first step, none. Reads the step count.
  NamedTensors state(const NamedTensors& named_parameters) const;
  // Throws Error naming `file_name` and the parameter when a stored moment does not fit.
  // Parameters without stored state start with zero moments; the count is the largest stored.
  void restore(const NamedTensors& named_parameters, const std::map<std::string, at::Tensor>& stored,
               const std::string& file_name);

 private:
  // state = next, or where `apply` is false the state as it was; in place.
  static void keep_unless_skipped(at::Tensor& state, const at::Tensor& next, const at::Tensor& apply);

  FlatParameters& flat_;
  AdamSettings settings_;
  at::Tensor exp_avg_, exp_avg_sq_;
  at::Tensor next_avg_, next_sq_, denom_;  // scratch of the buffers' size, kept between steps
  at::Tensor steps_;  // 0-dim double on the device: steps taken
};

}  // namespace varstyle
