// FlatAdam: LibTorch's Adam step on flat buffers, the device-side skip and count, its state.
#include "train/flat_adam.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.h"
#include "train/host_reads.h"

namespace varstyle {

FlatAdam::FlatAdam(FlatParameters& flat, const AdamSettings& settings)
    : flat_(flat),
      settings_(settings),
      exp_avg_(at::zeros_like(flat.values())),
      exp_avg_sq_(at::zeros_like(flat.values())),
      next_avg_(at::empty_like(flat.values())),
      next_sq_(at::empty_like(flat.values())),
      denom_(at::empty_like(flat.values())),
      steps_(at::zeros({}, flat.values().options().dtype(at::kDouble))) {}

void FlatAdam::step(double lr, const at::Tensor& apply) {
  at::Tensor p = flat_.values();  // a handle on the buffer: in-place writes reach the parameters
  at::Tensor grad = flat_.grads();
  // LibTorch's Adam (torch/optim/adam.cpp), with the count and the bias corrections as device
  // scalars: count += 1, b = 1 - beta^count, m = beta1 m + (1 - beta1) g, v = beta2 v + (1 - beta2) g^2,
  // p += (-lr / b1) m / (sqrt(v) / sqrt(b2) + eps); addcdiv's order is value * m, then / denom.
  // Every pass writes into a buffer held from step to step: temporaries the size of the model,
  // freed and allocated again each step, went back to the OS and were faulted in again, which
  // took 84% of the linear demo's CPU step.
  const at::Tensor steps = apply.defined() ? steps_ + apply.to(at::kDouble) : steps_ + 1;
  const at::Tensor bias_correction1 = 1 - at::pow(settings_.beta1, steps);
  const at::Tensor bias_correction2 = 1 - at::pow(settings_.beta2, steps);
  // With weight decay the decayed gradient borrows denom_, which it leaves before denom_ is written.
  if (settings_.weight_decay != 0) grad = at::add_out(denom_, grad, p, settings_.weight_decay);
  at::mul_out(next_avg_, exp_avg_, settings_.beta1).add_(grad, 1 - settings_.beta1);
  at::mul_out(next_sq_, exp_avg_sq_, settings_.beta2).addcmul_(grad, grad, 1 - settings_.beta2);
  at::sqrt_out(denom_, next_sq_).div_(bias_correction2.sqrt().to(p.dtype())).add_(settings_.eps);
  // A skipped step's moments and update may hold NaN; where() keeps the old values exactly.
  keep_unless_skipped(exp_avg_sq_, next_sq_, apply);
  at::Tensor update = next_sq_;  // free again: the update goes there
  at::mul_out(update, next_avg_, (-lr / bias_correction1).to(p.dtype())).div_(denom_).add_(p);
  keep_unless_skipped(exp_avg_, next_avg_, apply);
  keep_unless_skipped(p, update, apply);
  steps_.copy_(steps);
}

void FlatAdam::keep_unless_skipped(at::Tensor& state, const at::Tensor& next, const at::Tensor& apply) {
  if (apply.defined())
    at::where_out(state, apply, next, state);
  else
    state.copy_(next);
}

void FlatAdam::clip_grad_norm(double max_norm) {
  // LibTorch's clip_grad_norm_: coefficient max_norm / (norm + 1e-6), applied when below 1.
  const at::Tensor coefficient = (max_norm / (flat_.grads().norm(2) + 1e-6)).clamp_max(1.0);
  flat_.grads().mul_(coefficient);
}

NamedTensors FlatAdam::state(const NamedTensors& named_parameters) const {
  NamedTensors result;
  const auto count = static_cast<int64_t>(host_read(steps_, "the optimiser's step count"));
  if (count == 0) return result;
  const auto& parameters = flat_.parameters();
  for (const auto& [name, parameter] : named_parameters) {
    const auto it = std::find_if(parameters.begin(), parameters.end(),
                                 [&](const at::Tensor& p) { return p.is_same(parameter); });
    TORCH_CHECK(it != parameters.end(), "FlatAdam::state: '", name, "' is not a trainable parameter");
    const auto i = static_cast<size_t>(it - parameters.begin());
    result.emplace_back(name + ".step", at::tensor({count}, at::kLong));
    result.emplace_back(name + ".exp_avg", flat_.view(exp_avg_, i));
    result.emplace_back(name + ".exp_avg_sq", flat_.view(exp_avg_sq_, i));
  }
  return result;
}

void FlatAdam::restore(const NamedTensors& named_parameters, const std::map<std::string, at::Tensor>& stored,
                       const std::string& file_name) {
  const auto& parameters = flat_.parameters();
  int64_t count = 0;
  for (const auto& [name, parameter] : named_parameters) {
    const auto step = stored.find(name + ".step");
    if (step == stored.end()) continue;  // saved before this parameter's first step
    const auto average = stored.find(name + ".exp_avg");
    const auto square = stored.find(name + ".exp_avg_sq");
    if (average == stored.end() || square == stored.end() || average->second.sizes() != parameter.sizes() ||
        square->second.sizes() != parameter.sizes())
      throw Error(fmt::format("{}: optimiser state of '{}' is missing or has the wrong shape", file_name, name));
    const auto it = std::find_if(parameters.begin(), parameters.end(),
                                 [&](const at::Tensor& p) { return p.is_same(parameter); });
    TORCH_CHECK(it != parameters.end(), "FlatAdam::restore: '", name, "' is not a trainable parameter");
    const auto i = static_cast<size_t>(it - parameters.begin());
    flat_.view(exp_avg_, i).copy_(average->second);
    flat_.view(exp_avg_sq_, i).copy_(square->second);
    count = std::max(count, step->second.item<int64_t>());
  }
  steps_.fill_(static_cast<double>(count));
}

}  // namespace varstyle
