// Gatys et al.'s optimisation-based style transfer, the slow baseline: the image, initialised
// from the content, minimises content (relu4_2) + style (Gram over relu1_1..relu5_1) loss under
// VGG19 with L-BFGS (or Adam).
#pragma once

#include <memory>

#include "core/config.h"
#include "nets/vgg19.h"

namespace varstyle {

class Gatys {
 public:
  Gatys(std::shared_ptr<Vgg19> network, const EvalConfig& config);
  // content, style: [1, 3, H, W] in [0, 1]. `objective_trace` (optional) receives the objective
  // before the first and after the last step.
  at::Tensor stylize(const at::Tensor& content, const at::Tensor& style, std::vector<double>* objective_trace = nullptr);

 private:
  std::shared_ptr<Vgg19> network_;
  EvalConfig config_;
};

}  // namespace varstyle
