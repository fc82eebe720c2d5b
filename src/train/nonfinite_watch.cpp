// NonfiniteWatch: device flags per term, the per-step agreement, the report at log steps.
#include "train/nonfinite_watch.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include <fmt/format.h>

#include "core/error.h"
#include "train/host_reads.h"

namespace varstyle {

NonfiniteWatch::NonfiniteWatch(const c10::Device& device) : device_(device), names_{"total"} {
  const auto on = at::TensorOptions().device(device);
  step_bad_ = at::zeros({1}, on.dtype(at::kBool));
  first_bad_ = at::zeros({1}, on.dtype(at::kBool));
  first_step_ = at::full({}, -1, on.dtype(at::kLong));
  skipped_ = at::zeros({}, on.dtype(at::kLong));
}

void NonfiniteWatch::add_term(const std::string& name) {
  // A term can appear after the first step (a weight ramped up from 0); "total" stays last.
  names_.insert(names_.end() - 1, name);
  const int64_t terms = step_bad_.size(0) - 1;
  const at::Tensor no = at::zeros({1}, step_bad_.options());
  step_bad_ = at::cat({step_bad_.narrow(0, 0, terms), no, step_bad_.narrow(0, terms, 1)});
  first_bad_ = at::cat({first_bad_.narrow(0, 0, terms), no, first_bad_.narrow(0, terms, 1)});
}

void NonfiniteWatch::observe(const LossTerms& terms, const at::Tensor& total) {
  std::vector<at::Tensor> values(names_.size());
  for (const auto& [name, value] : terms.terms()) {
    auto it = std::find(names_.begin(), names_.end() - 1, name);
    if (it == names_.end() - 1) {
      add_term(name);
      values.insert(values.end() - 1, at::Tensor());
      it = names_.end() - 2;
    }
    values[static_cast<size_t>(it - names_.begin())] = value.detach().reshape({}).to(at::kFloat);
  }
  values.back() = total.detach().reshape({}).to(at::kFloat);
  // A term the model did not return this micro-step counts as finite.
  for (auto& value : values)
    if (!value.defined()) value = at::zeros({}, at::TensorOptions().device(device_));
  step_bad_.logical_or_(at::stack(values).isfinite().logical_not());
}

at::Tensor NonfiniteWatch::agree(int64_t step, Communicator& communicator) {
  at::Tensor bad = step_bad_.any().to(at::kFloat).reshape({1});
  if (communicator.size() > 1) communicator.all_reduce(bad, ReduceOp::kMax);
  const at::Tensor agreed_bad = bad.reshape({}) > 0;
  const at::Tensor first = agreed_bad.logical_and(first_step_ < 0);
  first_step_ = at::where(first, at::full({}, step, first_step_.options()), first_step_);
  first_bad_ = at::where(first, step_bad_, first_bad_);
  skipped_ += agreed_bad.to(at::kLong);
  step_bad_.zero_();
  return agreed_bad.logical_not();
}

void NonfiniteWatch::report(OnNonfinite mode, Communicator& communicator) {
  const std::vector<double> seen =
      host_read_values(at::cat({at::stack({first_step_, skipped_}).to(at::kDouble), first_bad_.to(at::kDouble)}));
  const auto first_step = static_cast<int64_t>(seen[0]);
  const auto skipped = static_cast<int64_t>(seen[1]);
  // The agreed fields are the same on every rank, so every rank takes the same branch.
  if (first_step < 0) return;
  std::string mine;
  for (size_t i = 0; i < names_.size() && mine.empty(); ++i)
    if (seen[2 + i] > 0) mine = names_[i];
  const auto terms = communicator.all_gather(mine);
  size_t rank = 0;
  while (rank + 1 < terms.size() && terms[rank].empty()) ++rank;
  const std::string what = fmt::format("non-finite loss at step {} in term '{}' on rank {}", first_step, terms[rank], rank);
  first_step_.fill_(-1);
  skipped_.zero_();
  first_bad_.zero_();
  if (mode == OnNonfinite::kAbort)
    throw Error(what + " (train.on_nonfinite: abort; the last checkpoint is intact; try a lower optim.lr or "
                       "train.on_nonfinite: skip)");
  spdlog::warn("{}: step skipped (train.on_nonfinite: skip){}", what,
               skipped > 1 ? fmt::format("; {} steps skipped since the last report", skipped) : std::string());
}

}  // namespace varstyle
