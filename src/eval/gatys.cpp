// Gatys optimisation with LibTorch's L-BFGS or Adam.
#include "eval/gatys.h"

#include <algorithm>
#include <chrono>

#include <ATen/core/grad_mode.h>
#include <torch/optim/adam.h>
#include <torch/cuda.h>
#include <torch/optim/lbfgs.h>

#include "eval/metrics.h"
#include "nets/feature_statistics.h"
#include "losses/image_losses.h"
#include "losses/style_losses.h"

namespace varstyle {

Gatys::Gatys(std::shared_ptr<Vgg19> network, const EvalConfig& config) : network_(std::move(network)), config_(config) {}

at::Tensor Gatys::stylize(const at::Tensor& content, const at::Tensor& style, std::vector<double>* trace,
                         GatysProfile* profile) {
  const auto started = std::chrono::steady_clock::now();
  const std::vector<std::string>& style_taps = EvaluationMetrics::style_taps();
  const std::string& content_tap = EvaluationMetrics::content_tap();
  std::vector<std::string> taps = style_taps;
  taps.push_back(content_tap);
  // The targets do not change while the image is optimised: the content's features and the
  // style's Grams are computed once, so an evaluation is one forward and backward of the image.
  at::Tensor content_target;
  std::vector<at::Tensor> style_grams;
  {
    at::NoGradGuard no_grad;
    content_target = network_->features(content, {content_tap}).at(content_tap);
    const FeatureMap style_features = network_->features(style, style_taps);
    for (const auto& tap : style_taps) style_grams.push_back(gram_matrix(style_features.at(tap)));
  }
  // Profiling waits for the device at each edge it reads, so a GPU's phases are not just enqueue times.
  auto now = [&] {
    if (content.is_cuda()) torch::cuda::synchronize(content.device().index());
    return std::chrono::steady_clock::now();
  };
  if (profile) profile->setup_seconds = std::chrono::duration<double>(now() - started).count();
  at::Tensor image = content.detach().clone().set_requires_grad(true);
  const bool phases = profile && profile->phases;
  auto charge = [&](double GatysProfile::*phase, std::chrono::steady_clock::time_point& since) {
    if (!phases) return;
    const auto edge = now();
    profile->*phase += std::chrono::duration<double>(edge - since).count();
    since = edge;
  };
  auto objective = [&] {
    auto since = phases ? now() : std::chrono::steady_clock::time_point{};
    const FeatureMap features = network_->features(image, taps);
    charge(&GatysProfile::forward_seconds, since);
    // Gatys et al.'s layer weights are 1e3 / C^2 (eval.gatys_style_weight = 1e3) for a Gram divided
    // by the positions only; gram_matrix divides by C as well, so the C^2 is left here.
    at::Tensor style = at::zeros({}, image.options());
    for (size_t i = 0; i < style_taps.size(); ++i) {
      const at::Tensor& output = features.at(style_taps[i]);
      const double channels = static_cast<double>(output.size(1));
      style = style + (1.0 / (channels * channels)) * gram_distance(output, style_grams[i]);
    }
    at::Tensor loss = config_.gatys_content_weight * content_loss({{features.at(content_tap), content_target, 1.0}}) +
                      config_.gatys_style_weight * style;
    charge(&GatysProfile::loss_seconds, since);
    return loss;
  };
  // One evaluation: the objective and its gradient.
  auto evaluate = [&] {
    at::Tensor loss = objective();
    auto since = phases ? now() : std::chrono::steady_clock::time_point{};
    loss.backward();
    charge(&GatysProfile::backward_seconds, since);
    if (profile) ++profile->evaluations;
    return loss;
  };
  if (trace) trace->push_back(objective().item<double>());
  if (config_.gatys_optimizer == "lbfgs") {
    // Steps of at most 20 iterations (as the reference scripts), the last one cut to what is
    // left, so exactly gatys_steps iterations run. Without a line search L-BFGS evaluates once per
    // iteration: the first at the start of each step, the others after each update but the last.
    torch::optim::LBFGS optimiser({image}, torch::optim::LBFGSOptions(config_.gatys_lr).max_iter(20));
    auto& options = static_cast<torch::optim::LBFGSOptions&>(optimiser.param_groups().front().options());
    for (int64_t done = 0; done < config_.gatys_steps; done += 20) {
      const int64_t chunk = std::min<int64_t>(20, config_.gatys_steps - done);
      options.max_iter(chunk).max_eval(chunk * 5 / 4 + 1);
      optimiser.step([&] {
        optimiser.zero_grad();
        return evaluate();
      });
    }
  } else {
    torch::optim::Adam optimiser({image}, torch::optim::AdamOptions(config_.gatys_lr));
    for (int64_t step = 0; step < config_.gatys_steps; ++step) {
      optimiser.zero_grad();
      evaluate();
      optimiser.step();
    }
  }
  if (trace) trace->push_back(objective().item<double>());
  at::Tensor result = image.detach().clamp(0, 1);
  if (profile) profile->total_seconds = std::chrono::duration<double>(now() - started).count();
  return result;
}

}  // namespace varstyle
