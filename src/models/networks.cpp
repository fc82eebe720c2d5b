// Building, loading and freezing the encoder VGG and the loss network.
#include "models/networks.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/error.h"
#include "losses/perceptual_criterion.h"
#include "nets/spectral_noise.h"
#include "nets/resnet.h"

namespace varstyle {

namespace {

std::string deepest_vgg_tap(const std::vector<std::string>& taps) {
  static const std::vector<std::string> order = [] {
    std::vector<std::string> names;
    for (const auto& layer : Vgg19::full_layers(1.0)) names.push_back("relu" + layer.name.substr(4));
    return names;
  }();
  size_t deepest = 0;
  for (const auto& tap : taps) {
    auto it = std::find(order.begin(), order.end(), tap);
    if (it == order.end())
      throw ConfigError(fmt::format("vgg19 has no tap '{}' (taps: {})", tap, fmt::join(order, ", ")));
    deepest = std::max(deepest, static_cast<size_t>(it - order.begin()));
  }
  return order[deepest];
}

// The loss network's taps (the image tap, kImageTap, needs no network).
std::vector<std::string> loss_taps(const LossConfig& loss) {
  std::vector<std::string> taps;
  for (const auto* list : {&loss.style_layers, &loss.content_layers})
    for (const auto& tap : *list)
      if (tap != kImageTap) taps.push_back(tap);
  return taps;
}

std::shared_ptr<Vgg19> make_vgg(const ModelConfig& model, const std::string& last_tap, const std::string& weights) {
  auto vgg = std::make_shared<Vgg19>(Vgg19Options{model.width, model.padding, last_tap});
  if (!weights.empty()) vgg->load(weights);
  vgg->freeze();
  return vgg;
}

}  // namespace

Networks build_networks(const Config& config, const std::vector<std::string>& encoder_taps) {
  const ModelConfig& model = config.model;
  const LossConfig& loss = config.loss;
  Networks networks;
  const bool shared = loss.network == LossNetwork::kVgg19 &&
                      (loss.network_weights.empty() || loss.network_weights == model.encoder_weights);
  std::vector<std::string> vgg_taps = encoder_taps;
  if (shared) {
    auto taps = loss_taps(loss);
    vgg_taps.insert(vgg_taps.end(), taps.begin(), taps.end());
  }
  networks.vgg = make_vgg(model, deepest_vgg_tap(vgg_taps), model.encoder_weights);
  if (shared) {
    networks.loss = networks.vgg;
  } else if (loss.network == LossNetwork::kVgg19) {
    networks.loss = make_vgg(model, deepest_vgg_tap(loss_taps(loss)), loss.network_weights);
  } else {
    auto resnet = std::make_shared<ResNet>(model.width);
    if (!loss.network_weights.empty()) resnet->load(loss.network_weights);
    resnet->freeze();
    networks.loss = resnet;
  }
  return networks;
}

NoiseOptions decoder_noise_options(const ModelConfig& model) {
  return {model.decoder_noise, model.decoder_coarse_noise, model.decoder_coarse_factor};
}

std::vector<int64_t> modulated_channels(const ModelConfig& model, const Decoder& decoder) {
  std::vector<int64_t> channels = {decoder.input_channels()};
  const auto& later = decoder.stage_channels();
  if (model.adain_stages - 1 > static_cast<int64_t>(later.size()))
    throw ConfigError(fmt::format("model.adain_stages: {} stages, but a decoder from {} has {} to modulate after its input",
                                  model.adain_stages, model.encoder_depth, later.size()));
  channels.insert(channels.end(), later.begin(), later.begin() + (model.adain_stages - 1));
  return channels;
}

void check_spectrum_setting(const ModelConfig& model) {
  if (model.decoder_coarse_spectrum == CoarseSpectrum::kStyle && model.decoder_coarse_noise <= 0)
    throw ConfigError("model.decoder_coarse_spectrum: 'style' shapes the coarse noise map, but model.decoder_coarse_noise is 0");
}

at::Tensor measured_style_spectrum(const ModelConfig& model, const at::Tensor& features) {
  if (model.decoder_coarse_spectrum != CoarseSpectrum::kStyle) return {};
  const double scale = static_cast<double>(int64_t{1} << (encoder_depth(model.encoder_depth) - 1));
  return spectrum_summary(features.detach(), scale);
}

at::Tensor mixed_style_spectrum(const ModelConfig& model, const std::vector<at::Tensor>& features,
                                const std::vector<double>& weights) {
  if (model.decoder_coarse_spectrum != CoarseSpectrum::kStyle || features.empty()) return {};
  at::Tensor mixed = weights.at(0) * measured_style_spectrum(model, features[0]);
  for (size_t i = 1; i < features.size(); ++i) mixed = mixed + weights.at(i) * measured_style_spectrum(model, features[i]);
  return mixed;
}

}  // namespace varstyle
