// The configured perceptual loss terms shared by every model: content (feature MSE at the
// content taps), style Gram / moments / W2 at the style taps (optionally SWAG-smoothed), and
// the image terms (total variation, pixels outside [0, 1]), each computed only when its weight
// is positive.
#pragma once

#include <memory>

#include "core/config.h"
#include "losses/loss_terms.h"
#include "nets/feature_network.h"

namespace varstyle {

// The tap name of the image itself (RGB in [0, 1]), usable in loss.style_layers and
// loss.content_layers beside the loss network's taps: its moments are the image's colour
// statistics, which random-weight networks constrain only loosely.
inline constexpr const char* kImageTap = "rgb";

class PerceptualCriterion {
 public:
  PerceptualCriterion(const LossConfig& config, std::shared_ptr<FeatureNetwork> network);

  // Taps of generated images (content and style taps with a positive weight).
  const std::vector<std::string>& output_taps() const { return output_taps_; }
  const std::vector<std::string>& style_taps() const { return style_taps_; }
  FeatureNetwork& network() { return *network_; }

  // The network's features at `taps` (with gradient), kImageTap mapped to the images themselves.
  FeatureMap features_at(const at::Tensor& images, const std::vector<std::string>& taps);
  // Loss-network features of generated images (with gradient) and of targets (without).
  FeatureMap output_features(const at::Tensor& images);
  FeatureMap target_features(const at::Tensor& images, const std::vector<std::string>& taps);

  // The loss network's style-tap features of `images`, and in `encoder_features` the encoder's
  // `encoder_tap` (kept apart: a separate loss network may use the same tap names); one pass
  // when the loss network is the encoder. Both without gradient.
  FeatureMap style_features(const at::Tensor& images, FeatureNetwork& encoder, const std::string& encoder_tap,
                            at::Tensor* encoder_features);

  void add_style_terms(LossTerms& terms, const FeatureMap& output, const FeatureMap& style) const;
  // The content term's targets for loss.content_target 'content' and 'styled' ('adain' is the
  // model's own decoder input): the content image's features at every content tap and, for
  // 'styled', with the style image's per-channel mean and spread at that tap. A flat region of
  // the content then asks for the style's mean activation, not for flatness, so the term keeps the
  // layout without forbidding the style's patterns there. `style_features` may hold some taps
  // already; the others are computed. Without gradient.
  FeatureMap content_targets(const at::Tensor& content, const at::Tensor& style, const FeatureMap& style_features);
  // `target` holds features at every content tap (of the content image, or the AdaIN target).
  void add_content_term(LossTerms& terms, const FeatureMap& output, const FeatureMap& target) const;
  // Terms on the output image itself: total variation and the out-of-range penalty.
  void add_image_terms(LossTerms& terms, const at::Tensor& images) const;

 private:

  LossConfig config_;
  std::shared_ptr<FeatureNetwork> network_;
  std::vector<std::string> style_taps_;
  std::vector<std::string> output_taps_;
};

}  // namespace varstyle
