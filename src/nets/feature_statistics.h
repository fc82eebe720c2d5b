// Statistics of feature maps [B, C, H, W] that the style losses compare: Gram matrices, channel
// means and standard deviations, covariances, SWAG smoothing, and the PSD matrix square root
// with a backward pass that stays finite for singular matrices (Marron's W2 needs it). All are
// computed in fp32 (fp64 for W2) even under bf16 autocast: the products of many small feature
// values are what bf16's 8-bit mantissa loses.
#pragma once

#include <ATen/ATen.h>

namespace varstyle {

// G = F F^T / (C H W) per sample: [B, C, C].
at::Tensor gram_matrix(const at::Tensor& features);

// Per-channel mean and standard deviation over positions: [B, C] each. `eps` is added to the
// unbiased variance before the square root (AdaIN's convention), keeping gradients finite; a
// 1x1 map has spread 0.
at::Tensor channel_mean(const at::Tensor& features);
at::Tensor channel_std(const at::Tensor& features, double eps = 1e-5);

// Unbiased covariance over positions (1/(n-1)): [B, C, C].
at::Tensor channel_covariance(const at::Tensor& features);

// SWAG (Wang, Li & Vasconcelos 2021): a softmax over all of a layer's activations (every channel
// and position, F / temperature), which flattens the peaky activations of residual networks
// before Gram or W2 statistics; multiplied by C H W so that the mean value is 1 and the loss keeps
// the scale of the unsmoothed one instead of vanishing as 1 / (H W)^2.
at::Tensor swag_smooth(const at::Tensor& features, double temperature = 1.0);

// The covariance in fp64 with relative_floor times its mean variance added to the diagonal: every
// eigenvalue is at least that, in the value and in the gradient alike, so W2's square roots stay
// differentiable with bounded gradients for the near-singular covariances of deep, small maps,
// and W2(x, x) stays exactly 0.
at::Tensor regularised_covariance(const at::Tensor& features, double relative_floor);

// Square root of symmetric positive semi-definite matrices [..., n, n] by eigendecomposition
// (negative rounding noise clamped to 0). Backward (Daleckii-Krein): dA = V (K o V^T dS V) V^T
// with K_ij = 1 / (s_i + s_j), s = sqrt(max(lambda, eps)): finite even for repeated zero
// eigenvalues, exact wherever the eigenvalues exceed eps.
at::Tensor sqrtm_psd(const at::Tensor& matrices, double eps);

}  // namespace varstyle
