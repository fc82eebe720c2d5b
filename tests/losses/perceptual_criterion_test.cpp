// PerceptualCriterion's content targets in closed form: 'content' is the content image's own
// features; 'styled' is those features with the style's per-channel mean and spread at each tap
// (taken from the style features given, computed for the taps not given), still an increasing
// affine map of the content's features per channel, so the layout is kept.
#include <gtest/gtest.h>

#include "core/config.h"
#include "losses/loss_terms.h"
#include "losses/perceptual_criterion.h"
#include "losses/style_losses.h"
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

// loss.style_w2_layers: W2 compares only the listed style layers. At the rgb tap it sees what the
// per-channel moments cannot: a grey image (three equal channels) and one whose channels hold the
// same values in other orders have equal means and spreads but not the same colour covariance.
TEST(StyleTerms, W2LayersChooseTheTapsAndSeeTheColourCovariance) {
  at::manual_seed(5);
  const at::Tensor grey = at::rand({1, 1, 8, 8}, kDouble).expand({1, 3, 8, 8}).contiguous();
  std::vector<at::Tensor> shuffled;
  for (int64_t c = 0; c < 3; ++c)
    shuffled.push_back(grey.select(1, c).flatten().index_select(0, at::randperm(64, at::kLong)).view({1, 8, 8}));
  const at::Tensor decorrelated = at::stack(shuffled, 1);
  LossConfig config;
  config.style_gram = 0.0;
  config.style_moments = 1.0;
  config.style_w2 = 1.0;
  config.style_layers = {kImageTap, "twice"};
  config.style_layer_weights = {3.0, 1.0};
  config.style_w2_layers = {kImageTap};
  const FeatureMap output = {{kImageTap, grey}, {"twice", 2.0 * grey}};
  const FeatureMap style = {{kImageTap, decorrelated}, {"twice", 2.0 * grey + 1.0}};
  PerceptualCriterion criterion(config, std::make_shared<TwiceNetwork>());
  LossTerms terms;
  criterion.add_style_terms(terms, output, style);
  std::map<std::string, double> value;
  for (const auto& [name, term] : terms.terms()) value[name] = term.item<double>();
  const double rgb_w2 = style_w2_loss({{grey, decorrelated, 3.0}}, config.w2_eps).item<double>();
  EXPECT_NEAR(value.at("style_w2"), rgb_w2, 1e-12);  // the "twice" tap (mean off by 1) is left out
  EXPECT_GT(rgb_w2, 0.01);
  // The moments term sees only the "twice" tap's mean shift of 1 per channel: rgb adds nothing.
  EXPECT_NEAR(value.at("style_moments"), 1.0, 1e-9);
  config.style_w2_layers.clear();  // empty: every style layer, so the shift counts as well
  LossTerms all;
  PerceptualCriterion(config, std::make_shared<TwiceNetwork>()).add_style_terms(all, output, style);
  EXPECT_NEAR(all.terms().back().second.item<double>(), rgb_w2 + 3.0, 1e-6);
}

}  // namespace
}  // namespace varstyle
