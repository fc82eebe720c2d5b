// A ResNet-18-style loss network (basic residual blocks, batch norm in evaluation mode) with the
// same tap names as VGG19, for the robustness experiments of Wang, Li & Vasconcelos (2021):
// relu1_1 = stem, relu2_1 = layer1, relu3_1 = layer2, relu4_1 = relu4_2 = layer3, relu5_1 = layer4.
// Module names follow torchvision's resnet18, so its state dict (re-saved as a plain dict) loads.
#pragma once

#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>

#include <filesystem>

#include "nets/feature_network.h"

namespace varstyle {

class ResNet : public FeatureNetwork {
 public:
  explicit ResNet(double width = 1.0);

  FeatureMap features(const at::Tensor& image, const std::vector<std::string>& taps) override;
  std::vector<std::string> tap_names() const override;
  int64_t tap_channels(const std::string& tap) const override;
  std::string describe() const override;

  // Torch zip state dict with torchvision's resnet18 names; checks every tensor's name and shape.
  void load(const std::filesystem::path& path);

 private:
  double width_;
  std::vector<int64_t> stage_channels_;
  torch::nn::Conv2d conv1_{nullptr};
  torch::nn::BatchNorm2d bn1_{nullptr};
  std::vector<torch::nn::ModuleList> stages_;
  std::string weights_ = "random weights";
};

}  // namespace varstyle
