// PerceptualCriterion: configured content, style and TV terms over a FeatureNetwork.
#include "losses/perceptual_criterion.h"

#include <torch/csrc/autograd/grad_mode.h>

#include <algorithm>

#include "losses/image_losses.h"
#include "nets/adain.h"
#include "losses/style_losses.h"

namespace varstyle {

PerceptualCriterion::PerceptualCriterion(const LossConfig& config, std::shared_ptr<FeatureNetwork> network)
    : config_(config), network_(std::move(network)) {
  if (config.style_gram > 0 || config.style_moments > 0 || config.style_w2 > 0) style_taps_ = config.style_layers;
  output_taps_ = style_taps_;
  if (config.content > 0)
    for (const auto& tap : config.content_layers)
      if (std::find(output_taps_.begin(), output_taps_.end(), tap) == output_taps_.end()) output_taps_.push_back(tap);
  for (const auto& tap : output_taps_)
    if (tap != kImageTap) network_->tap_channels(tap);  // unknown taps fail here, at build time
}

FeatureMap PerceptualCriterion::features_at(const at::Tensor& images, const std::vector<std::string>& taps) {
  std::vector<std::string> network_taps;
  for (const auto& tap : taps)
    if (tap != kImageTap) network_taps.push_back(tap);
  FeatureMap features = network_taps.empty() ? FeatureMap{} : network_->features(images, network_taps);
  if (network_taps.size() != taps.size()) features[kImageTap] = images;
  return features;
}

FeatureMap PerceptualCriterion::output_features(const at::Tensor& images) {
  return features_at(images, output_taps_);
}

FeatureMap PerceptualCriterion::target_features(const at::Tensor& images, const std::vector<std::string>& taps) {
  torch::NoGradGuard no_grad;
  return features_at(images, taps);
}

FeatureMap PerceptualCriterion::style_features(const at::Tensor& images, FeatureNetwork& encoder,
                                               const std::string& encoder_tap, at::Tensor* encoder_features) {
  const bool shared = &encoder == network_.get();
  std::vector<std::string> taps = style_taps_;
  if (shared) taps.push_back(encoder_tap);
  FeatureMap features = target_features(images, taps);
  if (shared) {
    *encoder_features = features.at(encoder_tap);
  } else {
    torch::NoGradGuard no_grad;
    *encoder_features = encoder.features(images, {encoder_tap}).at(encoder_tap);
  }
  return features;
}

FeatureMap PerceptualCriterion::content_targets(const at::Tensor& content, const at::Tensor& style,
                                                const FeatureMap& style_features) {
  FeatureMap targets = target_features(content, config_.content_layers);
  if (config_.content_target != ContentTarget::kStyled) return targets;
  std::vector<std::string> missing;
  for (const auto& tap : config_.content_layers)
    if (style_features.count(tap) == 0) missing.push_back(tap);
  const FeatureMap computed = missing.empty() ? FeatureMap{} : target_features(style, missing);
  torch::NoGradGuard no_grad;
  for (auto& [tap, feature] : targets) {
    const auto given = style_features.find(tap);
    feature = adain(feature, given != style_features.end() ? given->second : computed.at(tap));
  }
  return targets;
}

void PerceptualCriterion::add_style_terms(LossTerms& terms, const FeatureMap& output, const FeatureMap& style) const {
  if (style_taps_.empty()) return;
  std::vector<TapPair> pairs;
  for (size_t i = 0; i < style_taps_.size(); ++i) {
    const double weight = config_.style_layer_weights.empty() ? 1.0 : config_.style_layer_weights[i];
    pairs.push_back({output.at(style_taps_[i]), style.at(style_taps_[i]), weight});
  }
  terms.add("style_gram", config_.style_gram, [&] { return style_gram_loss(pairs, config_.swag); });
  terms.add("style_moments", config_.style_moments, [&] { return style_moments_loss(pairs); });
  terms.add("style_w2", config_.style_w2, [&] {
    if (config_.style_w2_layers.empty()) return style_w2_loss(pairs, config_.w2_eps, config_.swag);
    std::vector<TapPair> chosen;
    for (size_t i = 0; i < style_taps_.size(); ++i)
      if (std::find(config_.style_w2_layers.begin(), config_.style_w2_layers.end(), style_taps_[i]) !=
          config_.style_w2_layers.end())
        chosen.push_back(pairs[i]);
    return style_w2_loss(chosen, config_.w2_eps, config_.swag);
  });
}

void PerceptualCriterion::add_content_term(LossTerms& terms, const FeatureMap& output, const FeatureMap& target) const {
  terms.add("content", config_.content, [&] {
    std::vector<TapPair> pairs;
    for (const auto& tap : config_.content_layers) pairs.push_back({output.at(tap), target.at(tap).detach(), 1.0});
    return content_loss(pairs);
  });
}

void PerceptualCriterion::add_image_terms(LossTerms& terms, const at::Tensor& images) const {
  terms.add("tv", config_.tv, [&] { return total_variation_loss(images); });
  terms.add("range", config_.range, [&] { return out_of_range_loss(images); });
}

}  // namespace varstyle
