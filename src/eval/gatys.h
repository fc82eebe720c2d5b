// Gatys et al.'s optimisation-based style transfer, the slow baseline: the image, initialised
// from the content, minimises content (relu4_2) + style (Gram over relu1_1..relu5_1) loss under
// VGG19 with L-BFGS (or Adam).
#pragma once

#include <memory>

#include "core/config.h"
#include "nets/vgg19.h"

namespace varstyle {

// Where one stylisation's time went (bench stylize --method gatys): the objective's evaluations
// (forward, loss and backward, synchronised) and everything else, the optimiser's own work.
struct GatysProfile {
  bool phases = true;           // time each phase (waits for a GPU at every edge); false: setup and total only
  int64_t evaluations = 0;
  double forward_seconds = 0;   // the network's features of the image
  double loss_seconds = 0;      // Grams and distances
  double backward_seconds = 0;  // the gradient back to the image
  double setup_seconds = 0;     // the content's features and the style's Grams, once
  double total_seconds = 0;     // everything, setup included
  double objective_seconds() const { return forward_seconds + loss_seconds + backward_seconds; }
};

class Gatys {
 public:
  Gatys(std::shared_ptr<Vgg19> network, const EvalConfig& config);
  // content, style: [1, 3, H, W] in [0, 1]. `objective_trace` (optional) receives the objective
  // before the first and after the last step.
  // `profile` (optional) is filled as GatysProfile says; with `phases` it waits for a GPU at each
  // phase edge, which slows a GPU's iterations, so time the iterations with `phases` off.
  at::Tensor stylize(const at::Tensor& content, const at::Tensor& style, std::vector<double>* objective_trace = nullptr,
                     GatysProfile* profile = nullptr);

 private:
  std::shared_ptr<Vgg19> network_;
  EvalConfig config_;
};

}  // namespace varstyle
