// Losses on latent codes: KL to N(0, I) (VAE), MMD with an inverse multiquadric kernel and the
// log-variance regulariser (WAE, Nakada & Asoh), and the disentanglement hinge (Schopohl &
// Fuchsgruber). Codes are [B, D].
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <vector>

namespace varstyle {

// mean_b 1/2 sum_i (mu_i^2 + sigma_i^2 - 1 - log sigma_i^2). With free_bits > 0 (Kingma et al.
// 2016) each dimension's batch-mean KL counts as at least free_bits nats: a dimension under that
// is not pushed further towards the prior, so the code cannot collapse to N(0, I) whatever the
// input, which a small KL weight alone does not prevent.
at::Tensor kl_divergence_loss(const at::Tensor& mean, const at::Tensor& log_variance, double free_bits = 0.0);

// MMD^2 between samples x [N, D] and y [M, D] with k(a, b) = sum_s C_s / (C_s + ||a - b||^2),
// C_s = 2 D s for s in {0.1, 0.2, 0.5, 1, 2, 5, 10} (Tolstikhin et al.'s WAE-MMD). Unbiased:
// the diagonal terms of k(x, x) and k(y, y) are left out; biased: the V-statistic, which is
// exactly 0 for identical sample sets.
at::Tensor mmd_imq_loss(const at::Tensor& x, const at::Tensor& y, bool unbiased = true);

// A content latent map [B, C, H, W] as MMD samples, at most `limit` rows [N, C] so that the cost
// stays small at any resolution: the same number from each sample, at positions drawn from the
// sample's own noise key (keys[b]), so a sample's rows do not depend on the rest of the batch.
at::Tensor latent_position_samples(const at::Tensor& map, int64_t limit, const std::vector<uint64_t>& keys);

// lambda / N sum_n sum_i |log sigma_i^2(x_n)|, with lambda applied by the caller.
at::Tensor log_variance_loss(const at::Tensor& log_variance);

// mean_b max(0, ||e1 - e2||^2 - ||e1 - s||^2 + margin): the style codes e1, e2 of two
// stylisations that share the style code s should be closer to each other than e1 is to s.
at::Tensor disentangle_loss(const at::Tensor& code_1, const at::Tensor& code_2,
                            const at::Tensor& style_code, double margin);

}  // namespace varstyle
