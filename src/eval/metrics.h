// The evaluation metrics, computed with one fixed network for every method (independent of each
// method's training loss network): Gram distance per tap and in total (the WAE paper's style
// matrix difference), content distance, Gaussian W2 distance, mean/std distance, SSIM to the
// content image.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "nets/vgg19.h"

namespace varstyle {

class EvaluationMetrics {
 public:
  // Random weights (fixed seed 0) unless `weights` names a VGG19 file; the network lives on `device`.
  EvaluationMetrics(const std::string& weights, double width, const c10::Device& device = c10::Device(c10::kCPU));
  std::string network_name() const { return network_->describe(); }

  // All images [1, 3, H, W] in [0, 1]. Keys: gram_<tap>, gram_distance, content_distance,
  // w2_distance, moments_distance, ssim.
  std::map<std::string, double> compute(const at::Tensor& output, const at::Tensor& content, const at::Tensor& style);
  // The taps the metrics and the Gatys baseline read: style relu1_1..relu5_1, content relu4_2.
  static const std::vector<std::string>& style_taps();
  static const std::string& content_tap();

 private:
  std::shared_ptr<Vgg19> network_;
};

// The evaluation network's shape (the metrics' and the Gatys baseline's): VGG19 to relu5_1,
// reflection padding.
Vgg19Options evaluation_network_options(double width);

// Mean SSIM (Wang et al. 2004; 11x11 Gaussian window, sigma 1.5) of the luminance of two
// [1, 3, H, W] images in [0, 1].
double ssim(const at::Tensor& a, const at::Tensor& b);

}  // namespace varstyle
