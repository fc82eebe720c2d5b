// Latent losses against closed forms (KL for known mu and sigma, MMD of identical samples,
// log-variance, the disentanglement hinge) and gradient checks in double precision.
#include <gtest/gtest.h>

#include <cmath>

#include "grad_check.h"
#include "losses/latent_losses.h"

namespace varstyle {
namespace {

using testing::expect_gradient_matches;
const auto kDouble = at::TensorOptions().dtype(at::kDouble);

TEST(KlDivergence, ClosedForm) {
  // mu = (1, 2), sigma^2 = (1, 4): 1/2 [(1 + 1 - 1 - 0) + (4 + 4 - 1 - log 4)].
  at::Tensor mean = at::tensor({1.0, 2.0}, kDouble).view({1, 2});
  at::Tensor log_variance = at::tensor({0.0, std::log(4.0)}, kDouble).view({1, 2});
  EXPECT_NEAR(kl_divergence_loss(mean, log_variance).item<double>(), 0.5 * (1.0 + 7.0 - std::log(4.0)), 1e-12);
  EXPECT_NEAR(kl_divergence_loss(at::zeros({3, 4}, kDouble), at::zeros({3, 4}, kDouble)).item<double>(), 0.0, 1e-15);
  at::Tensor lv = at::randn({3, 4}, kDouble);
  expect_gradient_matches([&](const at::Tensor& m) { return kl_divergence_loss(m, lv); }, at::randn({3, 4}, kDouble));
  at::Tensor mu = at::randn({3, 4}, kDouble);
  expect_gradient_matches([&](const at::Tensor& l) { return kl_divergence_loss(mu, l); }, at::randn({3, 4}, kDouble));
}

TEST(KlDivergence, FreeBitsFloorEachDimension) {
  // Per-dimension batch-mean KL: dim 0 = 1/2 (1 + 1 - 1 - 0) = 0.5, dim 1 = 0 (at the prior).
  const at::Tensor mean = at::tensor({1.0, 0.0}, kDouble).view({1, 2}), log_variance = at::zeros({1, 2}, kDouble);
  EXPECT_NEAR(kl_divergence_loss(mean, log_variance, 0.25).item<double>(), 0.5 + 0.25, 1e-12);
  EXPECT_NEAR(kl_divergence_loss(mean, log_variance, 1.0).item<double>(), 2.0, 1e-12);
  // Below the floor a dimension gets no push towards the prior.
  at::Tensor m = mean.clone().set_requires_grad(true);
  kl_divergence_loss(m, log_variance, 1.0).backward();
  EXPECT_EQ(m.grad().abs().sum().item<double>(), 0.0);
}

TEST(LatentPositionSamples, KeyedPositionsFromEveryColumn) {
  // Batch 8 of 32 x 32 maps whose value is the column x: 256 rows, 32 from each sample. A fixed
  // stride of rows / 256 = 32 = the width would keep x = 0 only.
  const at::Tensor columns = at::arange(32, kDouble).view({1, 1, 1, 32}).expand({8, 1, 32, 32}).contiguous();
  std::vector<uint64_t> keys = {1, 2, 3, 4, 5, 6, 7, 8};
  const at::Tensor rows = latent_position_samples(columns, 256, keys);
  ASSERT_EQ(rows.sizes(), (std::vector<int64_t>{256, 1}));
  EXPECT_GT(std::get<0>(at::_unique(rows.flatten())).numel(), 20);
  // A sample's rows depend on its key only, and small maps give every position.
  EXPECT_TRUE(at::equal(latent_position_samples(columns.narrow(0, 2, 1), 32, {3}), rows.narrow(0, 64, 32)));
  EXPECT_EQ(latent_position_samples(at::zeros({2, 3, 4, 4}, kDouble), 256, {1, 2}).size(0), 32);
}

TEST(Mmd, IdenticalSamplesGiveZeroAndShiftsAreSeen) {
  at::manual_seed(1);
  at::Tensor z = at::randn({64, 8}, kDouble);
  EXPECT_NEAR(mmd_imq_loss(z, z, /*unbiased=*/false).item<double>(), 0.0, 1e-12);
  at::Tensor same = at::randn({600, 8}, kDouble), other = at::randn({600, 8}, kDouble);
  const double null_value = mmd_imq_loss(same, other).item<double>();
  EXPECT_LT(std::abs(null_value), 0.01);
  const double shifted = mmd_imq_loss(same, other + 1.0).item<double>();
  EXPECT_GT(shifted, 20 * std::abs(null_value) + 0.05);
  at::Tensor prior = at::randn({6, 3}, kDouble);
  for (bool unbiased : {true, false})
    expect_gradient_matches([&](const at::Tensor& x) { return mmd_imq_loss(x, prior, unbiased); },
                            at::randn({5, 3}, kDouble));
}

TEST(LogVariance, ClosedFormAndGradient) {
  at::Tensor log_variance = at::tensor({1.0, -2.0, 0.5, -0.5}, kDouble).view({2, 2});
  EXPECT_NEAR(log_variance_loss(log_variance).item<double>(), (3.0 + 1.0) / 2.0, 1e-12);
  expect_gradient_matches([](const at::Tensor& l) { return log_variance_loss(l); },
                          at::tensor({0.7, -1.3, 0.4, 2.2, -0.9, 1.1}, kDouble).view({2, 3}));
}

TEST(Disentangle, HingeClosedFormAndGradient) {
  at::Tensor e1 = at::tensor({0.0, 0.0}, kDouble).view({1, 2});
  at::Tensor e2 = at::tensor({3.0, 0.0}, kDouble).view({1, 2});
  at::Tensor s = at::tensor({0.0, 1.0}, kDouble).view({1, 2});
  EXPECT_NEAR(disentangle_loss(e1, e2, s, 0.0).item<double>(), 9.0 - 1.0, 1e-12);  // active
  EXPECT_NEAR(disentangle_loss(e1, s, e2, 0.0).item<double>(), 0.0, 1e-12);        // satisfied
  EXPECT_NEAR(disentangle_loss(e1, s, e2, 10.0).item<double>(), 1.0 - 9.0 + 10.0, 1e-12);  // margin
  at::manual_seed(3);
  at::Tensor code_2 = at::randn({4, 5}, kDouble) * 3.0, style = at::randn({4, 5}, kDouble) * 0.1;
  expect_gradient_matches([&](const at::Tensor& x) { return disentangle_loss(x, code_2, style, 0.5); },
                          at::randn({4, 5}, kDouble) * 0.1);
}

}  // namespace
}  // namespace varstyle
