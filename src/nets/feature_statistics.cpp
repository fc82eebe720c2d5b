// Feature statistics for the style losses, and sqrtm_psd as a custom autograd function.
#include "nets/feature_statistics.h"

#include <torch/csrc/autograd/custom_function.h>

#include "nets/autocast_scope.h"

namespace varstyle {

namespace {

// [B, C, N] in at least fp32. Statistics of bf16 features would lose the small differences the
// style losses are made of, so reduced precision is widened here; callers run under
// NoAutocast so that the products below are not narrowed again.
at::Tensor flatten_positions(const at::Tensor& features) {
  TORCH_CHECK(features.dim() == 4, "feature maps must be [B, C, H, W], got ", features.sizes());
  const bool reduced = features.scalar_type() == at::kBFloat16 || features.scalar_type() == at::kHalf;
  return (reduced ? features.to(at::kFloat) : features).flatten(2);
}

struct SqrtmPsd : public torch::autograd::Function<SqrtmPsd> {
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& matrices,
                            double eps) {
    at::Tensor eigenvalues, eigenvectors;
    std::tie(eigenvalues, eigenvectors) = at::linalg_eigh(matrices);
    // The value uses the exact roots (tiny negative eigenvalues from rounding become 0); only the
    // backward kernel uses clamped roots, where 1 / (s_i + s_j) would otherwise be infinite.
    const at::Tensor roots = eigenvalues.clamp_min(0.0).sqrt();
    ctx->save_for_backward({eigenvalues.clamp_min(eps).sqrt(), eigenvectors});
    return at::matmul(eigenvectors * roots.unsqueeze(-2), eigenvectors.transpose(-1, -2));
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor& roots = saved[0];
    const at::Tensor& vectors = saved[1];
    const at::Tensor grad = grads[0];
    // Symmetrise: only the symmetric part of dS is reachable from a symmetric input.
    const at::Tensor symmetric = 0.5 * (grad + grad.transpose(-1, -2));
    const at::Tensor in_basis = at::matmul(at::matmul(vectors.transpose(-1, -2), symmetric), vectors);
    const at::Tensor kernel = 1.0 / (roots.unsqueeze(-1) + roots.unsqueeze(-2));
    const at::Tensor result = at::matmul(at::matmul(vectors, in_basis * kernel), vectors.transpose(-1, -2));
    return {result, at::Tensor()};
  }
};

// G = F F^T / n for F = [B, C, N]. Its gradient is (dG + dG^T) F / n, one product; autograd's
// bmm backward takes two, one per operand. Gram losses run in every Gatys evaluation and training
// step, and at full resolution their products cost as much as a convolution layer.
struct GramProduct : public torch::autograd::Function<GramProduct> {
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& flat, double normaliser) {
    ctx->save_for_backward({flat});
    ctx->saved_data["normaliser"] = normaliser;
    return at::bmm(flat, flat.transpose(1, 2)) / normaliser;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const at::Tensor flat = ctx->get_saved_variables()[0];
    const double normaliser = ctx->saved_data["normaliser"].toDouble();
    const at::Tensor& grad = grads[0];
    return {at::bmm(grad + grad.transpose(1, 2), flat) / normaliser, at::Tensor()};
  }
};

}  // namespace

at::Tensor gram_matrix(const at::Tensor& features) {
  NoAutocast full_precision;
  const at::Tensor flat = flatten_positions(features);
  const double normaliser = static_cast<double>(flat.size(1) * flat.size(2));
  return GramProduct::apply(flat, normaliser);
}

at::Tensor channel_mean(const at::Tensor& features) {
  NoAutocast full_precision;
  return flatten_positions(features).mean(2);
}

at::Tensor channel_std(const at::Tensor& features, double eps) {
  NoAutocast full_precision;
  const at::Tensor flat = flatten_positions(features);
  // A single position (a 1x1 map) has no unbiased variance; its spread is 0.
  return (flat.var(2, /*unbiased=*/flat.size(2) > 1) + eps).sqrt();
}

at::Tensor channel_covariance(const at::Tensor& features) {
  NoAutocast full_precision;
  const at::Tensor flat = flatten_positions(features);
  TORCH_CHECK(flat.size(2) > 1, "covariance needs at least two positions");
  const at::Tensor centred = flat - flat.mean(2, /*keepdim=*/true);
  return at::bmm(centred, centred.transpose(1, 2)) / static_cast<double>(flat.size(2) - 1);
}

at::Tensor swag_smooth(const at::Tensor& features, double temperature) {
  NoAutocast full_precision;
  TORCH_CHECK(temperature > 0, "swag_smooth needs a positive temperature");
  const at::Tensor flat = flatten_positions(features).flatten(1);  // [B, C N]
  // Rescaled by C N so that the mean smoothed activation is 1: a softmax alone makes the Gram
  // about 1 / (C N)^2 per entry, and the loss a vanishing 1 / N^4.
  const double count = static_cast<double>(flat.size(1));
  return (at::softmax(flat / temperature, /*dim=*/1) * count).view(features.sizes());
}

at::Tensor regularised_covariance(const at::Tensor& features, double relative_floor) {
  NoAutocast full_precision;
  const at::Tensor covariance = channel_covariance(features.to(at::kDouble));
  const int64_t n = covariance.size(-1);
  const at::Tensor shift = relative_floor * covariance.diagonal(0, -2, -1).mean(-1);  // [B]
  return covariance + shift.view({-1, 1, 1}) * at::eye(n, covariance.options());
}

at::Tensor sqrtm_psd(const at::Tensor& matrices, double eps) {
  TORCH_CHECK(matrices.dim() >= 2 && matrices.size(-1) == matrices.size(-2),
              "sqrtm_psd needs square matrices, got ", matrices.sizes());
  return SqrtmPsd::apply(matrices, eps);
}

}  // namespace varstyle
