// The interface of a loss network: named feature taps of an image in [0, 1] RGB. VGG19 and the
// ResNet implement it, so losses, models and the evaluator never switch on the network kind.
#pragma once

#include <torch/nn/module.h>

#include <map>
#include <string>
#include <vector>

namespace varstyle {

using FeatureMap = std::map<std::string, at::Tensor>;

class FeatureNetwork : public torch::nn::Module {
 public:
  // Runs only as deep as the deepest requested tap. Throws ConfigError for an unknown tap name.
  virtual FeatureMap features(const at::Tensor& image, const std::vector<std::string>& taps) = 0;
  virtual std::vector<std::string> tap_names() const = 0;
  virtual int64_t tap_channels(const std::string& tap) const = 0;
  virtual std::string describe() const = 0;  // e.g. "vgg19 (width 0.25, random weights)"

  // Freezes every parameter and switches to evaluation mode.
  void freeze();
};

}  // namespace varstyle
