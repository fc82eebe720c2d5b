// What E_s reads besides its relu3_1 convolutions (vst and wae, model.style_encoder_moments): the
// style image's per-channel means and spreads at listed taps, the statistics the style losses
// match. With random weights a code learnt from relu3_1 alone generalised to fewer colours than
// the styles hold; handed these, the code has them directly (docs/quality.md).
#pragma once

#include <string>
#include <vector>

#include "nets/feature_network.h"

namespace varstyle {

class EncoderMoments {
 public:
  explicit EncoderMoments(std::vector<std::string> taps) : taps_(std::move(taps)) {}

  bool empty() const { return taps_.empty(); }
  // The listed VGG taps (all but rgb), for the pass that computes E_s's relu3_1.
  std::vector<std::string> vgg_taps() const;
  // The moments' length: 2 per channel of each tap.
  int64_t size(const FeatureNetwork& vgg) const;
  // [B, size()]: each tap's channel means then spreads, in the listed order; `features` holds the
  // VGG taps. None when the list is empty.
  at::Tensor operator()(const at::Tensor& images, const FeatureMap& features) const;

 private:
  std::vector<std::string> taps_;
};

}  // namespace varstyle
