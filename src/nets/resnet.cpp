// ResNet-18-style feature network with torchvision-compatible names.
#include "nets/resnet.h"

#include <torch/nn/init.h>

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/error.h"
#include "nets/tensor_copy.h"
#include "nets/weight_files.h"

namespace varstyle {

namespace {

torch::nn::Conv2d conv(int64_t in, int64_t out, int64_t kernel, int64_t stride) {
  auto layer = torch::nn::Conv2d(
      torch::nn::Conv2dOptions(in, out, kernel).stride(stride).padding(kernel / 2).bias(false));
  torch::nn::init::kaiming_normal_(layer->weight, 0.0, torch::kFanOut, torch::kReLU);
  return layer;
}

class BasicBlock : public torch::nn::Module {
 public:
  BasicBlock(int64_t in, int64_t out, int64_t stride) {
    conv1_ = register_module("conv1", conv(in, out, 3, stride));
    bn1_ = register_module("bn1", torch::nn::BatchNorm2d(out));
    conv2_ = register_module("conv2", conv(out, out, 3, 1));
    bn2_ = register_module("bn2", torch::nn::BatchNorm2d(out));
    if (stride != 1 || in != out) {
      down_conv_ = conv(in, out, 1, stride);
      down_bn_ = torch::nn::BatchNorm2d(out);
      downsample_ = register_module("downsample", torch::nn::Sequential(down_conv_, down_bn_));
    }
  }
  at::Tensor forward(const at::Tensor& x) {
    at::Tensor y = at::relu(bn1_->forward(conv1_->forward(x)));
    y = bn2_->forward(conv2_->forward(y));
    return at::relu(y + (downsample_ ? downsample_->forward(x) : x));
  }

 private:
  torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr}, down_conv_{nullptr};
  torch::nn::BatchNorm2d bn1_{nullptr}, bn2_{nullptr}, down_bn_{nullptr};
  torch::nn::Sequential downsample_{nullptr};
};

const std::vector<std::string> kTaps = {"relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu4_2", "relu5_1"};

// The stage (0 = stem, 1..4 = layer1..layer4) each tap reads.
int stage_of(const std::string& tap) {
  if (tap == "relu1_1") return 0;
  if (tap == "relu2_1") return 1;
  if (tap == "relu3_1") return 2;
  if (tap == "relu4_1" || tap == "relu4_2") return 3;
  if (tap == "relu5_1") return 4;
  throw ConfigError(fmt::format("resnet has no tap '{}' (taps: {})", tap, fmt::join(kTaps, ", ")));
}

}  // namespace

ResNet::ResNet(double width) : width_(width) {
  auto scaled = [&](int64_t c) { return std::max<int64_t>(4, static_cast<int64_t>(std::lround(c * width))); };
  stage_channels_ = {scaled(64), scaled(64), scaled(128), scaled(256), scaled(512)};
  conv1_ = register_module("conv1", conv(3, stage_channels_[0], 7, 2));
  bn1_ = register_module("bn1", torch::nn::BatchNorm2d(stage_channels_[0]));
  for (int stage = 1; stage <= 4; ++stage) {
    torch::nn::ModuleList blocks;
    const int64_t in = stage_channels_[static_cast<size_t>(stage - 1)];
    const int64_t out = stage_channels_[static_cast<size_t>(stage)];
    blocks->push_back(std::make_shared<BasicBlock>(in, out, stage == 1 ? 1 : 2));
    blocks->push_back(std::make_shared<BasicBlock>(out, out, 1));
    stages_.push_back(register_module(fmt::format("layer{}", stage), blocks));
  }
}

std::vector<std::string> ResNet::tap_names() const { return kTaps; }

int64_t ResNet::tap_channels(const std::string& tap) const {
  return stage_channels_[static_cast<size_t>(stage_of(tap))];
}

std::string ResNet::describe() const { return fmt::format("resnet18-style (width {}, {})", width_, weights_); }

FeatureMap ResNet::features(const at::Tensor& image, const std::vector<std::string>& taps) {
  TORCH_CHECK(image.dim() == 4 && image.size(1) == 3, "resnet expects [B, 3, H, W] images, got ", image.sizes());
  int deepest = -1;
  for (const auto& tap : taps) deepest = std::max(deepest, stage_of(tap));
  const auto mean = channel_constants({0.485, 0.456, 0.406}, image);
  const auto std = channel_constants({0.229, 0.224, 0.225}, image);
  std::vector<at::Tensor> outputs;
  at::Tensor x = at::relu(bn1_->forward(conv1_->forward((image - mean) / std)));
  outputs.push_back(x);
  if (deepest >= 1) x = at::max_pool2d(x, {3, 3}, {2, 2}, {1, 1});
  for (int stage = 1; stage <= deepest; ++stage) {
    for (const auto& block : *stages_[static_cast<size_t>(stage - 1)]) x = block->as<BasicBlock>()->forward(x);
    outputs.push_back(x);
  }
  FeatureMap result;
  for (const auto& tap : taps) result[tap] = outputs[static_cast<size_t>(stage_of(tap))];
  return result;
}

void ResNet::load(const std::filesystem::path& path) {
  const WeightFile file = read_weight_file(path);
  if (file.format != WeightFormat::kTorchZip)
    throw Error(fmt::format("{}: resnet weights must be a torch zip state dict (torchvision names)", path.string()));
  // Batch-norm step counters are bookkeeping that some state dicts leave out.
  const auto counter = [](const std::string& name) { return name.find("num_batches_tracked") != std::string::npos; };
  copy_tensors_by_name(module_tensors(*this), file.tensors, path.string(), describe(), counter);
  weights_ = fmt::format("weights from {}", path.string());
}

}  // namespace varstyle
