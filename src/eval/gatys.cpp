// Gatys optimisation with LibTorch's L-BFGS or Adam.
#include "eval/gatys.h"

#include <algorithm>

#include <ATen/core/grad_mode.h>
#include <torch/optim/adam.h>
#include <torch/optim/lbfgs.h>

#include "eval/metrics.h"
#include "losses/image_losses.h"
#include "losses/style_losses.h"

namespace varstyle {

Gatys::Gatys(std::shared_ptr<Vgg19> network, const EvalConfig& config) : network_(std::move(network)), config_(config) {}

at::Tensor Gatys::stylize(const at::Tensor& content, const at::Tensor& style, std::vector<double>* trace) {
  const std::vector<std::string>& style_taps = EvaluationMetrics::style_taps();
  const std::string& content_tap = EvaluationMetrics::content_tap();
  FeatureMap content_features, style_features;
  {
    at::NoGradGuard no_grad;
    content_features = network_->features(content, {content_tap});
    style_features = network_->features(style, style_taps);
  }
  at::Tensor image = content.detach().clone().set_requires_grad(true);
  auto objective = [&] {
    std::vector<std::string> taps = style_taps;
    taps.push_back(content_tap);
    const FeatureMap features = network_->features(image, taps);
    std::vector<TapPair> pairs;
    // Gatys et al.'s layer weights are 1e3 / C^2 (eval.gatys_style_weight = 1e3) for a Gram divided
    // by the positions only; style_gram_loss divides by C as well, so the C^2 is left here.
    for (const auto& tap : style_taps) {
      const double channels = static_cast<double>(features.at(tap).size(1));
      pairs.push_back({features.at(tap), style_features.at(tap), 1.0 / (channels * channels)});
    }
    return config_.gatys_content_weight * content_loss({{features.at(content_tap), content_features.at(content_tap), 1.0}}) +
           config_.gatys_style_weight * style_gram_loss(pairs);
  };
  if (trace) trace->push_back(objective().item<double>());
  if (config_.gatys_optimizer == "lbfgs") {
    // Steps of at most 20 iterations (as the reference scripts), the last one cut to what is
    // left, so exactly gatys_steps iterations run.
    torch::optim::LBFGS optimiser({image}, torch::optim::LBFGSOptions(config_.gatys_lr).max_iter(20));
    auto& options = static_cast<torch::optim::LBFGSOptions&>(optimiser.param_groups().front().options());
    for (int64_t done = 0; done < config_.gatys_steps; done += 20) {
      const int64_t chunk = std::min<int64_t>(20, config_.gatys_steps - done);
      options.max_iter(chunk).max_eval(chunk * 5 / 4 + 1);
      optimiser.step([&] {
        optimiser.zero_grad();
        at::Tensor loss = objective();
        loss.backward();
        return loss;
      });
    }
  } else {
    torch::optim::Adam optimiser({image}, torch::optim::AdamOptions(config_.gatys_lr));
    for (int64_t step = 0; step < config_.gatys_steps; ++step) {
      optimiser.zero_grad();
      objective().backward();
      optimiser.step();
    }
  }
  if (trace) trace->push_back(objective().item<double>());
  return image.detach().clamp(0, 1);
}

}  // namespace varstyle
