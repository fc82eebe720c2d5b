// EvaluationMetrics and SSIM.
#include "eval/metrics.h"

#include <ATen/core/grad_mode.h>

#include "nets/feature_statistics.h"
#include "losses/image_losses.h"
#include "losses/style_losses.h"

namespace varstyle {

const std::string& EvaluationMetrics::content_tap() {
  static const std::string tap = "relu4_2";
  return tap;
}

Vgg19Options evaluation_network_options(double width) { return Vgg19Options{width, Padding::kReflect, "relu5_1"}; }

const std::vector<std::string>& EvaluationMetrics::style_taps() {
  static const std::vector<std::string> taps = {"relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1"};
  return taps;
}

EvaluationMetrics::EvaluationMetrics(const std::string& weights, double width, const c10::Device& device) {
  at::manual_seed(0);
  network_ = std::make_shared<Vgg19>(evaluation_network_options(width));
  if (!weights.empty()) network_->load(weights);
  network_->freeze();
  network_->to(device);  // after the draws on the CPU: the same weights on every device
}

std::map<std::string, double> EvaluationMetrics::compute(const at::Tensor& output, const at::Tensor& content,
                                                         const at::Tensor& style) {
  at::NoGradGuard no_grad;
  std::vector<std::string> taps = style_taps();
  taps.push_back(content_tap());
  const FeatureMap out = network_->features(output.clamp(0, 1), taps);
  const FeatureMap c = network_->features(content, {content_tap()});
  const FeatureMap s = network_->features(style, style_taps());
  std::map<std::string, double> metrics;
  double gram_total = 0;
  std::vector<TapPair> pairs;
  for (const auto& tap : style_taps()) {
    const double value = style_gram_loss({{out.at(tap), s.at(tap), 1.0}}).item<double>();
    metrics["gram_" + tap] = value;
    gram_total += value;
    pairs.push_back({out.at(tap), s.at(tap), 1.0});
  }
  metrics["gram_distance"] = gram_total;
  metrics["content_distance"] = content_loss({{out.at(content_tap()), c.at(content_tap()), 1.0}}).item<double>();
  // Deep taps of small images have near-singular covariances: the square roots in double.
  std::vector<TapPair> double_pairs;
  for (const auto& pair : pairs) double_pairs.push_back({pair.output.to(at::kDouble), pair.target.to(at::kDouble), 1.0});
  metrics["w2_distance"] = style_w2_loss(double_pairs, 1e-12).item<double>();
  metrics["moments_distance"] = style_moments_loss(pairs).item<double>();
  metrics["ssim"] = ssim(output.clamp(0, 1), content);
  return metrics;
}

double ssim(const at::Tensor& a, const at::Tensor& b) {
  TORCH_CHECK(a.sizes() == b.sizes(), "ssim needs images of one size");
  const auto luminance = [](const at::Tensor& x) {
    const auto w = at::tensor({0.299, 0.587, 0.114}, x.options().dtype(at::kDouble)).view({1, 3, 1, 1});
    return (x.to(at::kDouble) * w).sum(1, true);
  };
  const at::Tensor x = luminance(a), y = luminance(b);
  const int64_t radius = std::min<int64_t>(5, (std::min(x.size(2), x.size(3)) - 1) / 2);
  at::Tensor kernel = at::arange(-radius, radius + 1, x.options());
  kernel = at::exp(-(kernel * kernel) / (2 * 1.5 * 1.5));
  kernel = kernel / kernel.sum();
  const at::Tensor window = at::outer(kernel, kernel).view({1, 1, 2 * radius + 1, 2 * radius + 1});
  const auto blur = [&](const at::Tensor& t) { return at::conv2d(t, window); };
  const at::Tensor mx = blur(x), my = blur(y);
  const at::Tensor vx = blur(x * x) - mx * mx, vy = blur(y * y) - my * my, cxy = blur(x * y) - mx * my;
  const double c1 = 0.01 * 0.01, c2 = 0.03 * 0.03;
  const at::Tensor map = ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
  return map.mean().item<double>();
}

}  // namespace varstyle
