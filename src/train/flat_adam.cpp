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
      steps_(at::zeros({}, flat.values().options().dtype(at::kDouble))) {}

void FlatAdam::step(double lr, const at::Tensor& apply) {
  const at::Tensor& p = flat_.values();
  at::Tensor grad = flat_.grads();
  // LibTorch's Adam (torch/optim/adam.cpp), with the count and the bias corrections as device
  // scalars: count += 1, b = 1 - beta^count, m = beta1 m + (1 - beta1) g, v = beta2 v + (1 - beta2) g^2,
  // p += (-lr / b1) m / (sqrt(v) / sqrt(b2) + eps); addcdiv's order is value * m, then / denom.
  const at::Tensor steps = apply.defined() ? steps_ + apply.to(at::kDouble) : steps_ + 1;
  const at::Tensor bias_correction1 = 1 - at::pow(settings_.beta1, steps);
  const at::Tensor bias_correction2 = 1 - at::pow(settings_.beta2, steps);
  if (settings_.weight_decay != 0) grad = grad.add(p, settings_.weight_decay);
  at::Tensor exp_avg = exp_avg_.mul(settings_.beta1).add_(grad, 1 - settings_.beta1);
  at::Tensor exp_avg_sq = exp_avg_sq_.mul(settings_.beta2).addcmul_(grad, grad, 1 - settings_.beta2);
  const at::Tensor denom = (exp_avg_sq.sqrt() / bias_correction2.sqrt().to(p.dtype())).add_(settings_.eps);
  const at::Tensor step_size = (-lr / bias_correction1).to(p.dtype());
  at::Tensor updated = p + exp_avg.mul(step_size).div_(denom);
  if (apply.defined()) {
    // A skipped step's moments and update may hold NaN; where() keeps the old values exactly.
    exp_avg = at::where(apply, exp_avg, exp_avg_);
    exp_avg_sq = at::where(apply, exp_avg_sq, exp_avg_sq_);
    updated = at::where(apply, updated, p);
  }
  exp_avg_.copy_(exp_avg);
  exp_avg_sq_.copy_(exp_avg_sq);
  flat_.values().copy_(updated);
  steps_.copy_(steps);
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
