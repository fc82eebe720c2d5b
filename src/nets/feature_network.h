// The interface of a loss network: named feature taps of an image in [0, 1] RGB. VGG19 and the
// ResNet implement it, so losses, models and the evaluator never switch on the network kind.
#pragma once

#include <torch/nn/module.h>

#include <initializer_list>
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

// One value per RGB channel as [1, 3, 1, 1] on `image`'s device, in its dtype but at least fp32:
// under bf16 autocast a decoder's bf16 output reaches the loss network and is normalised in fp32
// (at::tensor has no bf16 kernel on the CPU).
inline at::Tensor channel_constants(std::initializer_list<double> values, const at::Tensor& image) {
  const bool reduced = image.scalar_type() == at::kBFloat16 || image.scalar_type() == at::kHalf;
  return at::tensor(values, image.options().dtype(reduced ? at::kFloat : image.scalar_type())).view({1, 3, 1, 1});
}

}  // namespace varstyle
