// KL, MMD (inverse multiquadric), log-variance and disentanglement losses.
#include "losses/latent_losses.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>

namespace varstyle {

at::Tensor kl_divergence_loss(const at::Tensor& mean, const at::Tensor& log_variance, double free_bits) {
  const at::Tensor per_dimension = 0.5 * (mean.pow(2) + log_variance.exp() - 1.0 - log_variance).mean(0);
  if (free_bits <= 0) return per_dimension.sum();
  return per_dimension.clamp_min(free_bits).sum();
}

at::Tensor mmd_imq_loss(const at::Tensor& x, const at::Tensor& y, bool unbiased) {
  TORCH_CHECK(x.dim() == 2 && y.dim() == 2 && x.size(1) == y.size(1), "mmd needs [N, D] and [M, D]");
  const double n = static_cast<double>(x.size(0));
  const double m = static_cast<double>(y.size(0));
  TORCH_CHECK(!unbiased || (n > 1 && m > 1), "unbiased mmd needs at least two samples per side");
  const double dimension = static_cast<double>(x.size(1));
  const at::Tensor xx = at::cdist(x, x).pow(2);
  const at::Tensor yy = at::cdist(y, y).pow(2);
  const at::Tensor xy = at::cdist(x, y).pow(2);
  at::Tensor total = at::zeros({}, x.options());
  for (double scale : {0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0}) {
    const double c = 2.0 * dimension * scale;
    const at::Tensor kxx = c / (c + xx);
    const at::Tensor kyy = c / (c + yy);
    const at::Tensor kxy = c / (c + xy);
    if (unbiased) {
      // k(a, a) = 1 on the diagonals.
      total = total + (kxx.sum() - n) / (n * (n - 1)) + (kyy.sum() - m) / (m * (m - 1)) -
              2.0 * kxy.sum() / (n * m);
    } else {
      total = total + kxx.mean() + kyy.mean() - 2.0 * kxy.mean();
    }
  }
  return total;
}

at::Tensor latent_position_samples(const at::Tensor& map, int64_t limit, const std::vector<uint64_t>& keys) {
  TORCH_CHECK(map.dim() == 4 && static_cast<int64_t>(keys.size()) == map.size(0), "latent_position_samples needs [B, C, H, W] and one key per sample");
  const int64_t batch = map.size(0), positions = map.size(2) * map.size(3);
  const int64_t per_sample = std::max<int64_t>(1, std::min(positions, limit / batch));
  std::vector<at::Tensor> rows;
  for (int64_t b = 0; b < batch; ++b) {
    const at::Tensor sample = map[b].flatten(1).t();  // [H W, C]
    if (per_sample == positions) {
      rows.push_back(sample);
      continue;
    }
    // (A fixed stride over the flattened batch could equal the map's width and keep only x = 0.)
    auto generator = at::make_generator<at::CPUGeneratorImpl>(keys[static_cast<size_t>(b)]);
    const at::Tensor pick = at::randperm(positions, generator, at::TensorOptions().dtype(at::kLong)).narrow(0, 0, per_sample);
    rows.push_back(sample.index_select(0, pick.to(map.device())));
  }
  return at::cat(rows, 0);
}

at::Tensor log_variance_loss(const at::Tensor& log_variance) {
  return log_variance.abs().sum(1).mean();
}

at::Tensor disentangle_loss(const at::Tensor& code_1, const at::Tensor& code_2,
                            const at::Tensor& style_code, double margin) {
  const at::Tensor between = (code_1 - code_2).pow(2).sum(1);
  const at::Tensor to_style = (code_1 - style_code).pow(2).sum(1);
  return at::relu(between - to_style + margin).mean();
}

}  // namespace varstyle
