// E_s's extra input: per-channel means and spreads at model.style_encoder_moments' taps.
#include "models/encoder_moments.h"

#include "losses/perceptual_criterion.h"
#include "nets/feature_statistics.h"

namespace varstyle {

std::vector<std::string> EncoderMoments::vgg_taps() const {
  std::vector<std::string> taps;
  for (const auto& tap : taps_)
    if (tap != kImageTap) taps.push_back(tap);
  return taps;
}

int64_t EncoderMoments::size(const FeatureNetwork& vgg) const {
  int64_t total = 0;
  for (const auto& tap : taps_) total += 2 * (tap == kImageTap ? 3 : vgg.tap_channels(tap));
  return total;
}

at::Tensor EncoderMoments::operator()(const at::Tensor& images, const FeatureMap& features) const {
  if (taps_.empty()) return {};
  std::vector<at::Tensor> parts;
  for (const auto& tap : taps_) {
    const at::Tensor& x = tap == kImageTap ? images : features.at(tap);
    parts.push_back(channel_mean(x));
    parts.push_back(channel_std(x));
  }
  return at::cat(parts, 1);
}

}  // namespace varstyle
