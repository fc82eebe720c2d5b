// PerceptualCriterion's content targets in closed form: 'content' is the content image's own
// features; 'styled' is those features with the style's per-channel mean and spread at each tap
// (taken from the style features given, computed for the taps not given), still an increasing
// affine map of the content's features per channel, so the layout is kept.
#include <gtest/gtest.h>

#include "core/config.h"
#include "losses/perceptual_criterion.h"
#include "nets/feature_network.h"
#include "nets/feature_statistics.h"

namespace varstyle {
namespace {

const auto kDouble = at::TensorOptions().dtype(at::kDouble);

// One tap, "twice": the image times two, a network whose features are known in closed form.
class TwiceNetwork : public FeatureNetwork {
 public:
  FeatureMap features(const at::Tensor& image, const std::vector<std::string>& taps) override {
    FeatureMap features;
    for (const auto& tap : taps) features[tap] = 2.0 * image;
    return features;
  }
  std::vector<std::string> tap_names() const override { return {"twice"}; }
  int64_t tap_channels(const std::string&) const override { return 3; }
  std::string describe() const override { return "twice"; }
};

LossConfig content_config(ContentTarget target) {
  LossConfig config;
  config.content = 1.0;
  config.content_target = target;
  config.content_layers = {kImageTap, "twice"};
  config.style_gram = 0.0;
  config.style_moments = 1.0;
  config.style_layers = {kImageTap};
  return config;
}

// Per-channel correlation of two [B, C, H, W] maps, [B, C].
at::Tensor channel_correlation(const at::Tensor& a, const at::Tensor& b) {
  const at::Tensor ac = a - channel_mean(a).unsqueeze(-1).unsqueeze(-1);
  const at::Tensor bc = b - channel_mean(b).unsqueeze(-1).unsqueeze(-1);
  return (ac * bc).flatten(2).sum(2) / ((ac * ac).flatten(2).sum(2) * (bc * bc).flatten(2).sum(2)).sqrt();
}

TEST(ContentTargets, ContentIsTheContentImagesOwnFeatures) {
  at::manual_seed(3);
  const at::Tensor content = at::rand({2, 3, 8, 8}, kDouble), style = at::rand({2, 3, 8, 8}, kDouble);
  PerceptualCriterion criterion(content_config(ContentTarget::kContent), std::make_shared<TwiceNetwork>());
  const FeatureMap targets = criterion.content_targets(content, style, {{kImageTap, style}});
  EXPECT_TRUE(at::equal(targets.at(kImageTap), content));
  EXPECT_TRUE(at::allclose(targets.at("twice"), 2.0 * content));
}

TEST(ContentTargets, StyledTakesTheStylesStatisticsAndKeepsTheLayout) {
  at::manual_seed(4);
  const at::Tensor content = at::rand({2, 3, 8, 8}, kDouble);
  const at::Tensor style = 0.3 * at::rand({2, 3, 8, 8}, kDouble) + 0.5;
  // The rgb tap's style features are given, and deliberately not the style image: the given ones
  // must be used. "twice" is not given and must be computed from the style image.
  const at::Tensor given = 4.0 * at::rand({2, 3, 8, 8}, kDouble) - 1.0;
  PerceptualCriterion criterion(content_config(ContentTarget::kStyled), std::make_shared<TwiceNetwork>());
  const FeatureMap targets = criterion.content_targets(content, style, {{kImageTap, given}});
  const std::map<std::string, at::Tensor> statistics_of = {{kImageTap, given}, {"twice", 2.0 * style}};
  for (const auto& [tap, source] : statistics_of) {
    const at::Tensor& target = targets.at(tap);
    EXPECT_TRUE(at::allclose(channel_mean(target), channel_mean(source), 0, 1e-9)) << tap;
    EXPECT_TRUE(at::allclose(channel_std(target), channel_std(source), 1e-3, 1e-4)) << tap;
    EXPECT_TRUE(at::allclose(channel_correlation(target, content), at::ones({2, 3}, kDouble), 0, 1e-9)) << tap;
  }
  // A flat content channel asks for the style's mean there, not for the flat value.
  at::Tensor flat = content.clone();
  flat.select(1, 0).fill_(0.25);
  const at::Tensor flat_target = criterion.content_targets(flat, style, {{kImageTap, given}}).at(kImageTap);
  EXPECT_TRUE(at::allclose(flat_target.select(1, 0), channel_mean(given).select(1, 0).view({2, 1, 1}).expand({2, 8, 8}), 0, 1e-9));
}

}  // namespace
}  // namespace varstyle
