// Style losses between the loss-network features of an output and of a style image, summed
// over taps with per-tap weights: Gram (Gatys; Schopohl & Fuchsgruber), mean/std moments
// (Huang & Belongie), and the Gaussian 2-Wasserstein distance (Marron).
#pragma once

#include <ATen/ATen.h>

#include <vector>

namespace varstyle {

// Features of one tap for the output and for the style target, and the tap's weight.
struct TapPair {
  at::Tensor output;  // [B, C, H, W]
  at::Tensor target;  // [B, C, H', W'] (spatial size may differ)
  double weight = 1.0;
};

// sum_l w_l * mean_b ||G(F_out) - G(F_style)||_F^2, G = F F^T / (C H W). swag > 0: the SWAG
// temperature, features smoothed first (swag_smooth); 0: off.
at::Tensor style_gram_loss(const std::vector<TapPair>& taps, double swag = 0.0);

// mean_b ||G(F_out) - G_target||_F^2 for one tap, the target's Gram given ([1 or B, C, C]): the
// term of style_gram_loss, for callers that keep the style's Grams across many evaluations
// (Gatys' optimisation computes them once, not once per iteration).
at::Tensor gram_distance(const at::Tensor& output_features, const at::Tensor& target_gram);

// sum_l w_l * (mean_{b,c} (mu_out - mu_style)^2 + mean_{b,c} (sigma_out - sigma_style)^2),
// the AdaIN style loss (MSE of channel means and standard deviations).
at::Tensor style_moments_loss(const std::vector<TapPair>& taps);

// W2^2 between N(mu_x, Sx) and N(mu_y, Sy):
// ||mu_x - mu_y||^2 + tr Sx + tr Sy - 2 tr((Sy^1/2 Sx Sy^1/2)^1/2), per sample: [B].
at::Tensor gaussian_w2(const at::Tensor& mean_x, const at::Tensor& covariance_x,
                       const at::Tensor& mean_y, const at::Tensor& covariance_y, double eps);

// sum_l w_l * mean_b W2^2(N(features_out), N(features_style)) with unbiased covariances, in fp64,
// each covariance shifted by eps times its mean variance (regularised_covariance); swag as above.
at::Tensor style_w2_loss(const std::vector<TapPair>& taps, double eps, double swag = 0.0);

}  // namespace varstyle
