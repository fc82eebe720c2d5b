// VGG19 feature network: construction, forward to the deepest requested tap, weight loading.
#include "nets/vgg19.h"

#include <torch/nn/init.h>

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/error.h"
#include "nets/padding.h"
#include "nets/weight_files.h"

namespace varstyle {

namespace {

std::string relu_name(const std::string& conv) { return "relu" + conv.substr(4); }

int64_t scaled(int64_t channels, double width) {
  return std::max<int64_t>(4, static_cast<int64_t>(std::lround(static_cast<double>(channels) * width)));
}

}  // namespace

void FeatureNetwork::freeze() {
  for (auto& parameter : parameters()) parameter.set_requires_grad(false);
  eval();
}

std::vector<Vgg19::Layer> Vgg19::full_layers(double width) {
  const std::vector<std::tuple<const char*, int64_t, int, bool>> plan = {
      {"conv1_1", 64, 0, false},  {"conv1_2", 64, 2, true},   {"conv2_1", 128, 5, false},
      {"conv2_2", 128, 7, true},  {"conv3_1", 256, 10, false}, {"conv3_2", 256, 12, false},
      {"conv3_3", 256, 14, false}, {"conv3_4", 256, 16, true},  {"conv4_1", 512, 19, false},
      {"conv4_2", 512, 21, false}, {"conv4_3", 512, 23, false}, {"conv4_4", 512, 25, true},
      {"conv5_1", 512, 28, false}};
  std::vector<Layer> layers;
  int64_t in = 3;
  for (const auto& [name, out, index, pool] : plan) {
    const int64_t channels = scaled(out, width);
    layers.push_back({name, in, channels, index, pool});
    in = channels;
  }
  return layers;
}

Vgg19::Vgg19(const Vgg19Options& options) : options_(options) {
  for (const auto& layer : full_layers(options.width)) {
    layers_.push_back(layer);
    if (relu_name(layer.name) == options.last_tap) break;
  }
  if (relu_name(layers_.back().name) != options.last_tap)
    throw ConfigError(fmt::format("vgg19 has no tap '{}'", options.last_tap));
  for (const auto& layer : layers_) {
    auto conv = torch::nn::Conv2d(torch::nn::Conv2dOptions(layer.in_channels, layer.out_channels, /*kernel_size=*/3));
    // He initialisation keeps activation scales through 13 random layers (PyTorch's default
    // shrinks them about 6x per layer), so random-weight features still carry texture statistics.
    torch::nn::init::kaiming_normal_(conv->weight, /*a=*/0.0, torch::kFanIn, torch::kReLU);
    torch::nn::init::zeros_(conv->bias);
    convs_.push_back(register_module(layer.name, conv));
  }
}

std::vector<std::string> Vgg19::tap_names() const {
  std::vector<std::string> names;
  for (const auto& layer : layers_) names.push_back(relu_name(layer.name));
  return names;
}

int64_t Vgg19::tap_channels(const std::string& tap) const {
  for (const auto& layer : layers_)
    if (relu_name(layer.name) == tap) return layer.out_channels;
  throw ConfigError(fmt::format("vgg19 has no tap '{}' (taps: {})", tap, fmt::join(tap_names(), ", ")));
}

std::string Vgg19::describe() const {
  return fmt::format("vgg19 to {} (width {}, {} padding, {})", options_.last_tap, options_.width,
                     enum_name(options_.padding), weights_);
}

at::Tensor Vgg19::normalise(const at::Tensor& image) const {
  TORCH_CHECK(image.dim() == 4 && image.size(1) == 3, "vgg19 expects [B, 3, H, W] images, got ", image.sizes());
  if (caffe_input_) {
    // Keras/Caffe VGG: BGR, 0-255, minus the ImageNet mean in BGR order.
    const auto mean = channel_constants({103.939, 116.779, 123.68}, image);
    return image.flip({1}) * 255.0 - mean;
  }
  const auto mean = channel_constants({0.485, 0.456, 0.406}, image);
  const auto std = channel_constants({0.229, 0.224, 0.225}, image);
  return (image - mean) / std;
}

FeatureMap Vgg19::features(const at::Tensor& image, const std::vector<std::string>& taps) {
  const auto names = tap_names();
  size_t deepest = 0;
  for (const auto& tap : taps) {
    auto it = std::find(names.begin(), names.end(), tap);
    if (it == names.end())
      throw ConfigError(fmt::format("vgg19 (to {}) has no tap '{}' (taps: {})", options_.last_tap, tap,
                                    fmt::join(names, ", ")));
    deepest = std::max(deepest, static_cast<size_t>(it - names.begin()));
  }
  FeatureMap result;
  at::Tensor x = normalise(image);
  for (size_t i = 0; i <= deepest && !taps.empty(); ++i) {
    x = at::relu(convs_[i]->forward(pad_one(x, options_.padding)));
    if (std::find(taps.begin(), taps.end(), names[i]) != taps.end()) result[names[i]] = x;
    if (layers_[i].pool_after && i < deepest) x = at::max_pool2d(x, {2, 2}, {2, 2});
  }
  return result;
}

void Vgg19::load(const std::filesystem::path& path) { load(read_weight_file(path), path.string()); }

void Vgg19::load(const WeightFile& file, const std::string& file_name) {
  const bool keras = file.format == WeightFormat::kKerasHdf5;
  auto fetch = [&](const std::string& key, std::vector<int64_t> expected, bool kernel) {
    auto it = file.tensors.find(key);
    if (it == file.tensors.end())
      throw Error(fmt::format("{}: tensor '{}' is missing (needed by {})", file_name, key, describe()));
    at::Tensor tensor = it->second;
    if (keras && kernel) tensor = tensor.permute({3, 2, 0, 1});  // HWIO -> OIHW
    if (tensor.sizes().vec() != expected)
      throw Error(fmt::format("{}: tensor '{}' has shape [{}] but {} expects [{}]", file_name, key,
                              fmt::join(it->second.sizes(), ", "), describe(),
                              fmt::join(keras && kernel ? std::vector<int64_t>{expected[2], expected[3], expected[1], expected[0]} : expected, ", ")));
    return tensor.contiguous();
  };
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < layers_.size(); ++i) {
    const Layer& layer = layers_[i];
    std::string weight_key, bias_key;
    if (keras) {
      const std::string block = fmt::format("block{}_conv{}", layer.name.substr(4, 1), layer.name.substr(6));
      weight_key = block + "/kernel";
      bias_key = block + "/bias";
    } else {
      weight_key = fmt::format("features.{}.weight", layer.torchvision_index);
      bias_key = fmt::format("features.{}.bias", layer.torchvision_index);
    }
    convs_[i]->weight.copy_(fetch(weight_key, {layer.out_channels, layer.in_channels, 3, 3}, true));
    convs_[i]->bias.copy_(fetch(bias_key, {layer.out_channels}, false));
  }
  caffe_input_ = keras;
  weights_ = fmt::format("weights from {}", file_name);
}

}  // namespace varstyle
