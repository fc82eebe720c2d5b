// Non-finite losses without a host read per step (train.on_nonfinite). Each micro-step's terms
// are checked on the device; at the end of a step the ranks agree on a device flag that the
// optimiser takes as "apply" (a bad step is skipped on the device, in both modes, so the weights
// stay finite); the host reads what happened only at log and checkpoint steps: then abort
// throws naming the first bad step, its term and its rank, and skip warns once for the steps it
// skipped. A checkpoint is never written past an unreported bad step.
#pragma once

#include <ATen/ATen.h>

#include <string>
#include <vector>

#include "core/config_enums.h"
#include "dist/communicator.h"
#include "losses/loss_terms.h"

namespace varstyle {

class NonfiniteWatch {
 public:
  explicit NonfiniteWatch(const c10::Device& device);

  // A micro-step's terms (each weighted term as the model returned it) and their total.
  void observe(const LossTerms& terms, const at::Tensor& total);
  // Collective, once per step: true on the device unless a rank saw a non-finite value this step.
  at::Tensor agree(int64_t step, Communicator& communicator);
  // Collective, at a log or checkpoint step: one host read. Throws Error (abort) or warns (skip)
  // for what agree() recorded since the last report.
  void report(OnNonfinite mode, Communicator& communicator);

 private:
  void add_term(const std::string& name);

  c10::Device device_;
  std::vector<std::string> names_;  // the terms in first-seen order, then "total"
  at::Tensor step_bad_;             // bool [names]: this rank, this step
  at::Tensor first_step_;           // int64: the first agreed bad step since the last report, -1 none
  at::Tensor first_bad_;            // bool [names]: this rank's bad terms at that step
  at::Tensor skipped_;              // int64: agreed bad steps since the last report
};

}  // namespace varstyle
