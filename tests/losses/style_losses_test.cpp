// Feature statistics and style/content losses against closed forms (Gram of a hand-made map,
// W2 of 1-D and of commuting Gaussians, W2(x, x) = 0, symmetry), gradient checks in double
// precision for every loss, and finite W2 gradients for rank-deficient covariances.
#include <ATen/autocast_mode.h>
#include <gtest/gtest.h>

#include <cmath>

#include "grad_check.h"
#include "nets/feature_statistics.h"
#include "losses/image_losses.h"
#include "losses/style_losses.h"

namespace varstyle {
namespace {

using testing::expect_gradient_matches;
const auto kDouble = at::TensorOptions().dtype(at::kDouble);

at::Tensor random_spd(int64_t n, int64_t seed) {
  at::manual_seed(static_cast<uint64_t>(seed));
  at::Tensor b = at::randn({n, n}, kDouble);
  return at::matmul(b, b.t()) + 0.5 * at::eye(n, kDouble);
}

TEST(FeatureStatistics, GramOfHandMadeMap) {
  // C = 2 channels, H = 1, W = 2: F = [[1, 2], [3, 4]], G = F F^T / (C H W) = [[5, 11], [11, 25]] / 4.
  at::Tensor features = at::tensor({1.0, 2.0, 3.0, 4.0}, kDouble).view({1, 2, 1, 2});
  at::Tensor expected = at::tensor({5.0, 11.0, 11.0, 25.0}, kDouble).view({1, 2, 2}) / 4.0;
  EXPECT_TRUE(at::allclose(gram_matrix(features), expected));
}

TEST(FeatureStatistics, GramGradientForAnyUpstreamGradient) {
  // gram_matrix has its own backward, (dG + dG^T) F / n: an upstream gradient that is not
  // symmetric (weights on G's entries) tells it from a backward that assumes dG = dG^T.
  at::manual_seed(5);
  const at::Tensor weights = at::randn({2, 3, 3}, kDouble);
  expect_gradient_matches([&](const at::Tensor& x) { return (gram_matrix(x) * weights).sum(); },
                          at::randn({2, 3, 2, 3}, kDouble));
  const at::Tensor target = gram_matrix(at::randn({1, 3, 4, 4}, kDouble));
  expect_gradient_matches([&](const at::Tensor& x) { return gram_distance(x, target); },
                          at::randn({2, 3, 2, 3}, kDouble));
}

TEST(FeatureStatistics, MeanStdCovariance) {
  at::Tensor features = at::tensor({1.0, 2.0, 3.0, 5.0, 5.0, 5.0}, kDouble).view({1, 2, 1, 3});
  EXPECT_TRUE(at::allclose(channel_mean(features), at::tensor({2.0, 5.0}, kDouble).view({1, 2})));
  EXPECT_NEAR(channel_std(features, 0.0)[0][0].item<double>(), 1.0, 1e-12);  // unbiased var of 1,2,3
  EXPECT_NEAR(channel_std(features, 1e-5)[0][1].item<double>(), std::sqrt(1e-5), 1e-12);
  at::Tensor covariance = channel_covariance(features);
  EXPECT_NEAR(covariance[0][0][0].item<double>(), 1.0, 1e-12);
  EXPECT_NEAR(covariance[0][0][1].item<double>(), 0.0, 1e-12);
}

TEST(FeatureStatistics, SwagIsALayerSoftmaxRescaledToMeanOne) {
  at::Tensor features = at::randn({2, 3, 4, 5}, kDouble);
  at::Tensor smoothed = swag_smooth(features);
  // One softmax over every channel and position of a sample, times C H W = 60.
  EXPECT_TRUE(at::allclose(smoothed.sum({1, 2, 3}), at::full({2}, 60.0, kDouble)));
  EXPECT_NEAR(smoothed[0][1][2][3].item<double>(),
              60.0 * std::exp(features[0][1][2][3].item<double>()) / features[0].exp().sum().item<double>(), 1e-12);
  EXPECT_GT(smoothed.min().item<double>(), 0.0);
  // A high temperature flattens towards 1 everywhere.
  EXPECT_LT((swag_smooth(features, 1e4) - 1.0).abs().max().item<double>(), 1e-3);
  // The loss keeps a usable scale at a ResNet stem's size (it was ~1e-17 before the rescaling).
  at::manual_seed(2);
  const at::Tensor a = at::relu(at::randn({1, 16, 64, 64})), b = at::relu(at::randn({1, 16, 64, 64})) * 2;
  EXPECT_GT(style_gram_loss({{a, b, 1.0}}, 1.0).item<double>(), 1e-4);
}

TEST(SqrtmPsd, SquaresBackAndHasTheSylvesterGradient) {
  at::Tensor a = random_spd(5, 1);
  at::Tensor root = sqrtm_psd(a, 1e-12);
  EXPECT_TRUE(at::allclose(at::matmul(root, root), a, 1e-9, 1e-9));
  at::manual_seed(2);
  at::Tensor weights = at::randn({5, 5}, kDouble);
  // Parameterise A = B B^T + I so that finite differences stay symmetric.
  expect_gradient_matches([&](const at::Tensor& b) {
    return (sqrtm_psd(at::matmul(b, b.t()) + at::eye(5, kDouble), 1e-12) * weights).sum();
  }, at::randn({5, 5}, kDouble));
}

TEST(GaussianW2, OneDimensionalClosedForm) {
  // W2^2(N(m1, s1^2), N(m2, s2^2)) = (m1 - m2)^2 + (s1 - s2)^2.
  const double m1 = 0.3, s1 = 1.7, m2 = -1.1, s2 = 0.4;
  at::Tensor w2 = gaussian_w2(at::full({1, 1}, m1, kDouble), at::full({1, 1, 1}, s1 * s1, kDouble),
                              at::full({1, 1}, m2, kDouble), at::full({1, 1, 1}, s2 * s2, kDouble), 1e-12);
  EXPECT_NEAR(w2.item<double>(), (m1 - m2) * (m1 - m2) + (s1 - s2) * (s1 - s2), 1e-10);
}

TEST(GaussianW2, CommutingCovariancesClosedForm) {
  // Diagonal covariances commute: W2^2 = ||mu_x - mu_y||^2 + sum_i (sqrt(a_i) - sqrt(b_i))^2.
  at::Tensor a = at::tensor({4.0, 1.0, 0.25}, kDouble), b = at::tensor({1.0, 9.0, 0.25}, kDouble);
  at::Tensor mu_x = at::tensor({1.0, 0.0, 2.0}, kDouble).view({1, 3});
  at::Tensor mu_y = at::tensor({0.0, 0.0, 0.0}, kDouble).view({1, 3});
  at::Tensor w2 = gaussian_w2(mu_x, at::diag(a).unsqueeze(0), mu_y, at::diag(b).unsqueeze(0), 1e-12);
  const double expected = 1.0 + 4.0 + (2.0 - 1.0) * (2.0 - 1.0) + (1.0 - 3.0) * (1.0 - 3.0) + 0.0;
  EXPECT_NEAR(w2.item<double>(), expected, 1e-10);
}

TEST(GaussianW2, ZeroOnItselfAndSymmetric) {
  at::Tensor sx = random_spd(6, 3).unsqueeze(0), sy = random_spd(6, 4).unsqueeze(0);
  at::Tensor mx = at::randn({1, 6}, kDouble), my = at::randn({1, 6}, kDouble);
  EXPECT_NEAR(gaussian_w2(mx, sx, mx, sx, 1e-12).item<double>(), 0.0, 1e-9);
  EXPECT_NEAR(gaussian_w2(mx, sx, my, sy, 1e-12).item<double>(),
              gaussian_w2(my, sy, mx, sx, 1e-12).item<double>(), 1e-9);
  EXPECT_GT(gaussian_w2(mx, sx, my, sy, 1e-12).item<double>(), 0.1);
  // Rank-deficient: 3 positions, 6 channels -> covariance of rank 2.
  at::Tensor features = at::randn({1, 6, 1, 3}, kDouble);
  at::Tensor singular = channel_covariance(features);
  EXPECT_NEAR(gaussian_w2(channel_mean(features), singular, channel_mean(features), singular, 1e-10).item<double>(), 0.0, 1e-6);
}

TEST(StyleW2Loss, GradientMatchesAndStaysFiniteWhenSingular) {
  at::manual_seed(5);
  at::Tensor target = at::randn({2, 4, 3, 3}, kDouble);
  expect_gradient_matches([&](const at::Tensor& output) {
    return style_w2_loss({{output, target, 0.7}}, 1e-9);
  }, at::randn({2, 4, 3, 3}, kDouble), 1e-6, 1e-5);

  // Fewer positions than channels and a constant channel: singular covariances on both sides.
  at::Tensor singular_target = at::randn({1, 8, 1, 3}, kDouble);
  singular_target.select(1, 0).fill_(2.0);
  at::Tensor output = at::randn({1, 8, 1, 3}, kDouble);
  output.select(1, 1).fill_(-1.0);
  output.set_requires_grad(true);
  at::Tensor loss = style_w2_loss({{output, singular_target, 1.0}}, 1e-5);
  loss.backward();
  EXPECT_TRUE(std::isfinite(loss.item<double>()));
  EXPECT_TRUE(output.grad().isfinite().all().item<bool>());
  // Also for float, the training precision.
  at::Tensor output_float = output.detach().to(at::kFloat).set_requires_grad(true);
  style_w2_loss({{output_float, singular_target.to(at::kFloat), 1.0}}, 1e-5).backward();
  EXPECT_TRUE(output_float.grad().isfinite().all().item<bool>());
}

TEST(StyleW2Loss, ValueAndGradientAgreeForSingularCovariances) {
  // 3 positions, 6 channels: rank-2 covariances. The eigenvalue floor (w2_eps = 1e-3, large on
  // purpose) must shape the value as it shapes the gradient, or finite differences disagree.
  at::manual_seed(8);
  const at::Tensor target = at::randn({1, 6, 1, 3}, kDouble);
  expect_gradient_matches([&](const at::Tensor& output) { return style_w2_loss({{output, target, 1.0}}, 1e-3); },
                          at::randn({1, 6, 1, 3}, kDouble), 1e-6, 1e-5);
  // And it is still exactly 0 against itself.
  EXPECT_NEAR(style_w2_loss({{target, target, 1.0}}, 1e-3).item<double>(), 0.0, 1e-9);
}

TEST(FeatureStatistics, FullPrecisionUnderBf16Autocast) {
  // Under CPU autocast to bf16 the statistics stay fp32 and W2 runs (linalg_eigh has no bf16
  // kernel); the loss equals the fp32 loss of the same bf16-rounded features.
  at::manual_seed(9);
  const at::Tensor output = at::rand({2, 8, 6, 6}).to(at::kBFloat16), target = at::rand({2, 8, 6, 6}).to(at::kBFloat16);
  const bool was_enabled = at::autocast::is_cpu_enabled();
  at::autocast::set_cpu_enabled(true);
  at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
  const at::Tensor gram = gram_matrix(output);
  const at::Tensor w2 = style_w2_loss({{output, target, 1.0}}, 1e-5);
  const at::Tensor moments = style_moments_loss({{output, target, 1.0}});
  at::autocast::set_cpu_enabled(was_enabled);
  at::autocast::clear_cache();
  EXPECT_EQ(gram.scalar_type(), at::kFloat);
  EXPECT_EQ(moments.scalar_type(), at::kFloat);
  EXPECT_TRUE(std::isfinite(w2.item<double>()));
  const at::Tensor exact = gram_matrix(output.to(at::kFloat));
  EXPECT_TRUE(at::allclose(gram, exact, 1e-6, 1e-7));
}

TEST(StyleGramLoss, ClosedFormAndGradient) {
  // Output F = [[1, 2], [3, 4]], target zeros: loss = w * ||G||_F^2 = w * (25 + 121 + 121 + 625) / 16.
  at::Tensor output = at::tensor({1.0, 2.0, 3.0, 4.0}, kDouble).view({1, 2, 1, 2});
  at::Tensor target = at::zeros({1, 2, 1, 2}, kDouble);
  EXPECT_NEAR(style_gram_loss({{output, target, 2.0}}).item<double>(), 2.0 * 892.0 / 16.0, 1e-10);
  EXPECT_NEAR(style_gram_loss({{output, output, 1.0}}).item<double>(), 0.0, 1e-12);
  at::manual_seed(6);
  at::Tensor style = at::randn({1, 3, 4, 4}, kDouble);  // one style image for a batch of two
  for (bool swag : {false, true})
    expect_gradient_matches([&](const at::Tensor& x) {
      return style_gram_loss({{x, style, 1.5}, {x * x, style, 0.5}}, swag);
    }, at::randn({2, 3, 4, 4}, kDouble));
}

TEST(StyleMomentsLoss, ClosedFormAndGradient) {
  // Constant maps: sigma = sqrt(eps) on both sides, so only the means differ.
  at::Tensor output = at::full({1, 2, 2, 2}, 3.0, kDouble);
  at::Tensor target = at::full({1, 2, 2, 2}, 1.0, kDouble);
  EXPECT_NEAR(style_moments_loss({{output, target, 1.0}}).item<double>(), 4.0, 1e-10);
  at::manual_seed(7);
  at::Tensor style = at::randn({2, 3, 4, 4}, kDouble);
  expect_gradient_matches([&](const at::Tensor& x) { return style_moments_loss({{x, style, 1.0}}); },
                          at::randn({2, 3, 4, 4}, kDouble));
}

TEST(ContentAndTotalVariation, ClosedFormAndGradient) {
  at::Tensor a = at::tensor({1.0, 2.0, 3.0, 4.0}, kDouble).view({1, 1, 2, 2});
  at::Tensor b = at::zeros({1, 1, 2, 2}, kDouble);
  EXPECT_NEAR(content_loss({{a, b, 1.0}}).item<double>(), 30.0 / 4.0, 1e-12);
  // Vertical differences 2, 2; horizontal 1, 1.
  EXPECT_NEAR(total_variation_loss(a).item<double>(), 2.0 + 1.0, 1e-12);
  at::manual_seed(8);
  at::Tensor target = at::randn({2, 3, 4, 4}, kDouble);
  expect_gradient_matches([&](const at::Tensor& x) { return content_loss({{x, target, 0.5}}); },
                          at::randn({2, 3, 4, 4}, kDouble));
  expect_gradient_matches([](const at::Tensor& x) { return total_variation_loss(x); },
                          at::randn({1, 3, 5, 5}, kDouble));
}

TEST(OutOfRange, ClosedFormAndGradient) {
  // (0.5^2 + 0 + 0.5^2 + 0) / 4: only what lies outside [0, 1] counts.
  const at::Tensor x = at::tensor({-0.5, 0.5, 1.5, 1.0}, kDouble).view({1, 1, 2, 2});
  EXPECT_NEAR(out_of_range_loss(x).item<double>(), 0.125, 1e-12);
  EXPECT_EQ(out_of_range_loss(at::rand({2, 3, 4, 4}, kDouble)).item<double>(), 0.0);
  expect_gradient_matches([](const at::Tensor& v) { return out_of_range_loss(v); }, 2 * at::randn({1, 3, 5, 5}, kDouble) + 0.5);
}

}  // namespace
}  // namespace varstyle
