// Gram, moment and Gaussian-W2 style losses over loss-network taps.
#include "losses/style_losses.h"

#include "nets/feature_statistics.h"

namespace varstyle {

namespace {

// The sum's start, in the features' dtype but at least fp32: the statistics are fp32 (fp64 for W2)
// under bf16 autocast, and a bf16 start would narrow the W2 term back to bf16.
at::Tensor zero_like_first(const std::vector<TapPair>& taps) {
  TORCH_CHECK(!taps.empty(), "a style loss needs at least one tap");
  const at::Tensor& first = taps.front().output;
  const bool reduced = first.scalar_type() == at::kBFloat16 || first.scalar_type() == at::kHalf;
  return at::zeros({}, first.options().dtype(reduced ? at::kFloat : first.scalar_type()));
}

// A statistic of a single style image may serve a whole batch.
at::Tensor broadcast_batch(const at::Tensor& statistic, int64_t batch) {
  if (statistic.size(0) == batch) return statistic;
  TORCH_CHECK(statistic.size(0) == 1, "style batch ", statistic.size(0), " does not match ", batch);
  std::vector<int64_t> sizes = statistic.sizes().vec();
  sizes[0] = batch;
  return statistic.expand(sizes);
}

}  // namespace

at::Tensor style_gram_loss(const std::vector<TapPair>& taps, double swag) {
  at::Tensor total = zero_like_first(taps);
  for (const auto& tap : taps) {
    const at::Tensor output = swag > 0 ? swag_smooth(tap.output, swag) : tap.output;
    const at::Tensor target = swag > 0 ? swag_smooth(tap.target, swag) : tap.target;
    total = total + tap.weight * gram_distance(output, gram_matrix(target));
  }
  return total;
}

at::Tensor gram_distance(const at::Tensor& output_features, const at::Tensor& target_gram) {
  const at::Tensor difference = gram_matrix(output_features) - broadcast_batch(target_gram, output_features.size(0));
  return difference.pow(2).sum({1, 2}).mean();
}

at::Tensor style_moments_loss(const std::vector<TapPair>& taps) {
  at::Tensor total = zero_like_first(taps);
  for (const auto& tap : taps) {
    const int64_t batch = tap.output.size(0);
    const at::Tensor mean_difference = channel_mean(tap.output) - broadcast_batch(channel_mean(tap.target), batch);
    const at::Tensor std_difference = channel_std(tap.output) - broadcast_batch(channel_std(tap.target), batch);
    total = total + tap.weight * (mean_difference.pow(2).mean() + std_difference.pow(2).mean());
  }
  return total;
}

at::Tensor gaussian_w2(const at::Tensor& mean_x, const at::Tensor& covariance_x,
                       const at::Tensor& mean_y, const at::Tensor& covariance_y, double eps) {
  const at::Tensor root_y = sqrtm_psd(covariance_y, eps);
  const at::Tensor middle = at::matmul(at::matmul(root_y, covariance_x), root_y);
  const at::Tensor cross = sqrtm_psd(0.5 * (middle + middle.transpose(-1, -2)), eps);
  const auto trace = [](const at::Tensor& m) { return m.diagonal(0, -2, -1).sum(-1); };
  return (mean_x - mean_y).pow(2).sum(-1) + trace(covariance_x) + trace(covariance_y) - 2.0 * trace(cross);
}

at::Tensor style_w2_loss(const std::vector<TapPair>& taps, double eps, double swag) {
  at::Tensor total = zero_like_first(taps);
  for (const auto& tap : taps) {
    const at::Tensor output = swag > 0 ? swag_smooth(tap.output, swag) : tap.output;
    const at::Tensor target = swag > 0 ? swag_smooth(tap.target, swag) : tap.target;
    const int64_t batch = output.size(0);
    // In fp64 with both covariances shifted by eps times their mean variance: the same function in
    // the value and the gradient, and fp32 eigendecompositions of near-singular covariances are
    // where the gradient spikes came from.
    const at::Tensor w2 = gaussian_w2(channel_mean(output).to(at::kDouble), regularised_covariance(output, eps),
                                      broadcast_batch(channel_mean(target).to(at::kDouble), batch),
                                      broadcast_batch(regularised_covariance(target, eps), batch), 1e-30);
    total = total + tap.weight * w2.mean().to(total.scalar_type());
  }
  return total;
}

}  // namespace varstyle
