// VGG19 up to relu5_1 as a loss network and frozen encoder: named relu taps, input normalisation
// inside (torchvision's RGB mean/std, or Caffe's BGR 0-255 mean subtraction for Keras weights),
// reflection or zero padding, and a width multiplier for CPU demos and tests.
#pragma once

#include <torch/nn/modules/conv.h>

#include <filesystem>

#include "core/config_enums.h"
#include "nets/feature_network.h"

namespace varstyle {

struct WeightFile;

struct Vgg19Options {
  double width = 1.0;                  // channels = round(64 * width), ... (at least 4)
  Padding padding = Padding::kReflect;
  std::string last_tap = "relu5_1";    // layers past this tap are not built
};

class Vgg19 : public FeatureNetwork {
 public:
  explicit Vgg19(const Vgg19Options& options);

  FeatureMap features(const at::Tensor& image, const std::vector<std::string>& taps) override;
  std::vector<std::string> tap_names() const override;
  int64_t tap_channels(const std::string& tap) const override;
  std::string describe() const override;

  // Loads a Keras or torch file; every tensor is checked by name and shape, and an error names
  // the first missing or mismatched one. Keras weights switch the input to Caffe's convention.
  void load(const std::filesystem::path& path);
  void load(const WeightFile& file, const std::string& file_name);

  // The canonical layer list: "conv1_1" ... "conv5_1", with pooling after conv1_2, conv2_2,
  // conv3_4 and conv4_4; and each layer's index in torchvision's vgg19().features.
  struct Layer {
    std::string name;
    int64_t in_channels;
    int64_t out_channels;
    int torchvision_index;
    bool pool_after;
  };
  static std::vector<Layer> full_layers(double width);

 private:
  at::Tensor normalise(const at::Tensor& image) const;

  Vgg19Options options_;
  std::vector<Layer> layers_;
  std::vector<torch::nn::Conv2d> convs_;
  bool caffe_input_ = false;
  std::string weights_ = "random weights";
};

}  // namespace varstyle
