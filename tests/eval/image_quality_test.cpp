// The image-space quality measures in closed form: CIELAB reference colours, the Gabor bank's
// zero mean and unit L1 norm, W2 between Gaussians with known roots, structure, colour and texture
// of the identity, a constant image and a pure colour shift, set distances, active dimensions, the
// floors, and summaries that never call a method that misses a floor the best.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "eval/image_quality.h"
#include "eval/quality_floors.h"
#include "eval/report.h"
#include "test_support.h"

namespace varstyle {
namespace {

namespace fs = std::filesystem;

// A smooth random image with values in [lo, hi]: content-like structure at a few scales.
at::Tensor smooth_image(int64_t seed, int64_t size = 128, double lo = 0.1, double hi = 0.8) {
  at::manual_seed(static_cast<uint64_t>(seed));
  at::Tensor x = at::avg_pool2d(at::rand({1, 3, size + 6, size + 6}, at::kDouble), {7, 7}, {1, 1});
  x = (x - x.min()) / (x.max() - x.min());
  return lo + (hi - lo) * x;
}

at::Tensor constant_image(double r, double g, double b, int64_t size = 128) {
  return at::tensor({r, g, b}, at::kDouble).view({1, 3, 1, 1}).expand({1, 3, size, size}).contiguous();
}

TEST(ImageQuality, CielabOfReferenceColours) {
  const auto lab = [](double r, double g, double b) { return rgb_to_lab(constant_image(r, g, b, 1)).flatten(); };
  const at::Tensor white = lab(1, 1, 1), black = lab(0, 0, 0), red = lab(1, 0, 0), grey = lab(0.5, 0.5, 0.5);
  EXPECT_NEAR(white[0].item<double>(), 100.0, 1e-3);
  EXPECT_NEAR(white[1].item<double>(), 0.0, 1e-2);
  EXPECT_NEAR(white[2].item<double>(), 0.0, 1e-2);
  EXPECT_NEAR(black.abs().max().item<double>(), 0.0, 1e-9);
  EXPECT_NEAR(red[0].item<double>(), 53.2408, 1e-2);
  EXPECT_NEAR(red[1].item<double>(), 80.0925, 2e-2);
  EXPECT_NEAR(red[2].item<double>(), 67.2032, 2e-2);
  EXPECT_NEAR(grey[0].item<double>(), 53.3890, 1e-2);
}

TEST(ImageQuality, GaborBankIsZeroMeanWithUnitL1) {
  for (double wavelength : {4.0, 8.0, 16.0}) {
    for (double orientation : {0.0, 0.785398, 1.570796, 2.356194}) {
      auto [re, im] = gabor_kernel(wavelength, orientation);
      EXPECT_EQ(re.size(0), 2 * static_cast<int64_t>(std::ceil(3 * 0.56 * wavelength)) + 1);
      EXPECT_NEAR(re.sum().item<double>(), 0.0, 1e-12);
      EXPECT_NEAR(im.sum().item<double>(), 0.0, 1e-12);
      EXPECT_NEAR((re * re + im * im).sqrt().sum().item<double>(), 1.0, 1e-12);
    }
  }
}

TEST(ImageQuality, GaussianW2InClosedForm) {
  const auto gaussian = [](std::vector<double> mean, std::vector<double> variances) {
    return GaussianFit{at::tensor(mean, at::kDouble), at::diag(at::tensor(variances, at::kDouble))};
  };
  // Diagonal covariances commute: W2^2 = |m1 - m2|^2 + sum (sqrt a_i - sqrt b_i)^2.
  const GaussianFit a = gaussian({1, 2, 3}, {4, 9, 1}), b = gaussian({0, 2, 5}, {1, 16, 1});
  EXPECT_NEAR(gaussian_w2(a, b), std::sqrt(1 + 4 + 1 + 1 + 0), 1e-9);
  EXPECT_NEAR(gaussian_w2(a, a), 0.0, 1e-6);
  // A general pair: symmetric, and 0 only against itself.
  at::manual_seed(3);
  const at::Tensor m = at::randn({4, 4}, at::kDouble), n = at::randn({4, 4}, at::kDouble);
  const GaussianFit p{at::randn({4}, at::kDouble), at::matmul(m, m.t())}, q{at::randn({4}, at::kDouble), at::matmul(n, n.t())};
  EXPECT_NEAR(gaussian_w2(p, q), gaussian_w2(q, p), 1e-6);
  EXPECT_GT(gaussian_w2(p, q), 0.1);
}

TEST(ImageQuality, IdentityConstantAndColourShift) {
  const at::Tensor content = smooth_image(1), style = smooth_image(2, 128, 0.0, 1.0).flip({1});
  const ImageStatistics c = image_statistics(content), s = image_statistics(style);
  // The identity keeps all structure and moves nowhere towards the style.
  EXPECT_NEAR(structure_score(c, c), 1.0, 1e-9);
  EXPECT_NEAR(colour_ratio(c, c, s), 1.0, 1e-9);
  EXPECT_NEAR(texture_ratio(c, c, s), 1.0, 1e-9);
  // The style itself as output: all the way to the style.
  EXPECT_NEAR(colour_ratio(s, c, s), 0.0, 1e-6);
  EXPECT_NEAR(texture_ratio(s, c, s), 0.0, 1e-6);
  // A constant image has no structure and no texture; its colour fit is a point at its CIELAB.
  const ImageStatistics flat = image_statistics(constant_image(0.2, 0.5, 0.7));
  EXPECT_EQ(structure_score(flat, c), 0.0);
  EXPECT_NEAR(flat.texture.mean.abs().max().item<double>(), 0.0, 1e-12);
  EXPECT_NEAR(flat.colour.covariance.abs().max().item<double>(), 0.0, 1e-9);
  EXPECT_TRUE(at::allclose(flat.colour.mean, rgb_to_lab(constant_image(0.2, 0.5, 0.7, 1)).flatten(), 1e-9, 1e-9));
  // W2 from a point to a Gaussian: sqrt(|m - m_s|^2 + tr S_s).
  const double expected = std::sqrt((flat.colour.mean - s.colour.mean).pow(2).sum().item<double>() +
                                    s.colour.covariance.trace().item<double>());
  EXPECT_NEAR(colour_ratio(flat, c, s) * gaussian_w2(c.colour, s.colour), expected, 1e-6);
  // A pure colour shift (no clipping) keeps every gradient and every zero-mean Gabor response.
  const ImageStatistics shifted = image_statistics(content + 0.15);
  EXPECT_NEAR(structure_score(shifted, c), 1.0, 1e-9);
  EXPECT_NEAR(texture_ratio(shifted, c, s), 1.0, 1e-6);
  EXPECT_NE(colour_ratio(shifted, c, s), 1.0);
  // Any input size is cropped to its centre square and resized to 128.
  EXPECT_EQ(image_statistics(smooth_image(4, 64)).gradient.numel(), kQualitySize * kQualitySize);
  EXPECT_EQ(image_statistics(at::rand({3, 300, 200}, at::kDouble)).gradient.numel(), kQualitySize * kQualitySize);
}

TEST(ImageQuality, StripesAndFlatColourFailTheFloors) {
  // What broken models produced: stripes that ignore the content, and flat single colours.
  const at::Tensor content = smooth_image(5), style = smooth_image(6, 128, 0.0, 1.0);
  const at::Tensor ramp = at::arange(128, at::kDouble).remainder(8).div(8.0);
  const at::Tensor stripes = at::stack({ramp.view({1, -1}).expand({128, 128}), ramp.view({-1, 1}).expand({128, 128}),
                                        0.5 * at::ones({128, 128}, at::kDouble)})
                                 .unsqueeze(0);
  const ImageStatistics c = image_statistics(content), s = image_statistics(style);
  const ImageStatistics striped = image_statistics(stripes), flat = image_statistics(constant_image(0.4, 0.4, 0.4));
  const QualityFloors floors;
  EXPECT_LT(structure_score(striped, c), floors.structure);
  EXPECT_LT(structure_score(flat, c), floors.structure);
  EXPECT_GT(texture_ratio(flat, c, s), floors.texture);
}

TEST(ImageQuality, SetDistancesAndActiveDimensions) {
  std::vector<ImageStatistics> styles;
  for (int i = 0; i < 4; ++i) styles.push_back(image_statistics(smooth_image(10 + i, 128, 0.05 * i, 0.6 + 0.1 * i)));
  const StyleSpread spread = style_spread(styles);
  // In its own unit the styles' spread is 1; copies of one image are 0 apart.
  EXPECT_NEAR(mean_pairwise_distance(styles, spread), 1.0, 1e-9);
  // (W2 is the root of a difference of traces: rounding of 1e-16 shows as 1e-8.)
  EXPECT_NEAR(mean_pairwise_distance({styles[0], styles[0], styles[0]}, spread), 0.0, 1e-6);
  EXPECT_EQ(mean_pairwise_distance({styles[0]}, spread), 0.0);
  // Signatures carry the Gaussians exactly.
  const ImageStatistics back = from_signature(to_signature(styles[1]));
  EXPECT_NEAR(style_distance(back, styles[1], spread), 0.0, 1e-6);
  // Active dimensions: variance over the set above 0.01.
  const at::Tensor codes = at::tensor({0.0, 0.0, 1.0, 0.05, 0.0, -1.0, 0.0, 0.05}, at::kDouble).view({4, 2});
  // dim 0: values 0, 1, 0, 0 -> variance 0.1875; dim 1: 0, 0.05, -1, 0.05 -> variance ~0.197.
  EXPECT_EQ(active_dimensions(codes), 2);
  EXPECT_EQ(active_dimensions(at::zeros({5, 3})), 0);
  EXPECT_EQ(active_dimensions(at::tensor({0.0, 0.1, 0.0, 0.1}, at::kDouble).view({2, 2})), 0);
}

TEST(QualityFloors, EachMissNamedWithItsValue) {
  std::map<std::string, double> good = {{"structure", 0.6}, {"colour", 0.5}, {"texture", 0.5}, {"style_sensitivity", 0.5},
                                        {"sample_diversity", 0.3}, {"active_dims", 8}, {"latent_dim", 16}};
  EXPECT_TRUE(floor_failures(good, true).empty());
  auto bad = good;
  bad["colour"] = 0.92;
  bad["active_dims"] = 2;
  const auto reasons = floor_failures(bad, true);
  ASSERT_EQ(reasons.size(), 2u);
  EXPECT_EQ(reasons[0], "colour 0.92 > 0.75");
  EXPECT_EQ(reasons[1], "active_dims 2 < 8 of 16");
  // Without a code the code floors do not apply; a missing value is a failure.
  bad.erase("sample_diversity");
  EXPECT_EQ(floor_failures(bad, false).size(), 1u);
  EXPECT_EQ(floor_failures({{"structure", 0.9}}, false).size(), 3u);
}

TEST(QualityFloors, SummaryNeverCallsAFailingMethodBest) {
  testing::ScratchDir dir;
  std::vector<MetricRow> rows;
  // "stripes" wins every network distance but keeps no structure; "honest" passes the floors.
  for (int p = 0; p < 2; ++p) {
    rows.push_back({"stripes", "c", "s", "", p, {{"structure", 0.1}, {"colour", 0.9}, {"texture", 0.9}, {"gram_distance", 0.01}}, {}});
    rows.push_back({"honest", "c", "s", "", p, {{"structure", 0.6}, {"colour", 0.5}, {"texture", 0.6}, {"gram_distance", 1.0}}, {}});
  }
  std::vector<MethodQuality> methods = {{"stripes", false, false, {{"style_sensitivity", 0.01}}},
                                        {"honest", false, false, {{"style_sensitivity", 0.5}}}};
  const std::string md = write_summaries(dir.path(), summarize(rows, methods, "test network"));
  EXPECT_NE(md.find("| stripes | FAIL: structure 0.1 < 0.45; colour 0.9 > 0.75; texture 0.9 > 0.8; style_sensitivity 0.01 < 0.3 |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| honest | pass |"), std::string::npos) << md;
  EXPECT_NE(md.find("**1 ± 0**"), std::string::npos) << md;  // honest's gram_distance is the best shown
  EXPECT_EQ(md.find("**0.01"), std::string::npos) << md;
  std::ifstream csv(dir.path() / "summary.csv");
  std::stringstream text;
  text << csv.rdbuf();
  EXPECT_NE(text.str().find("stripes,floors_passed,0,"), std::string::npos);
  EXPECT_NE(text.str().find("honest,floors_passed,1,"), std::string::npos);
}

}  // namespace
}  // namespace varstyle
