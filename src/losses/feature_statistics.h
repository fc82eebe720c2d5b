// Statistics of feature maps [B, C, H, W] that the style losses compare: Gram matrices, channel
// means and standard deviations, covariances, SWAG smoothing, and the PSD matrix square root
// with a backward pass that stays finite for singular matrices (Marron's W2 needs it).
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

// SWAG (Wang, Li & Vasconcelos 2021): softmax over each channel's spatial positions, which
// flattens the peaky activations of residual networks before Gram or W2 statistics.
at::Tensor swag_smooth(const at::Tensor& features);

// Square root of symmetric positive semi-definite matrices [..., n, n] by eigendecomposition
// (negative rounding noise clamped to 0). Backward (Daleckii-Krein): dA = V (K o V^T dS V) V^T
// with K_ij = 1 / (s_i + s_j), s = sqrt(max(lambda, eps)): finite even for repeated zero
// eigenvalues, exact wherever the eigenvalues exceed eps.
at::Tensor sqrtm_psd(const at::Tensor& matrices, double eps);

}  // namespace varstyle
