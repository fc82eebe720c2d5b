// Losses on images and feature maps: perceptual content loss (MSE of loss-network features,
// Johnson et al.) and total variation.
#pragma once

#include <ATen/ATen.h>

#include <vector>

#include "losses/style_losses.h"

namespace varstyle {

// sum_l w_l * mean (F_out - F_target)^2 over the content taps.
at::Tensor content_loss(const std::vector<TapPair>& taps);

// mean |x[.., i+1, j] - x[.., i, j]| + mean |x[.., i, j+1] - x[.., i, j]| (anisotropic L1).
at::Tensor total_variation_loss(const at::Tensor& images);

// mean (max(0, x - 1)^2 + max(0, -x)^2): how far pixels lie outside [0, 1]. The loss network sees
// the decoder's raw output, but every saved image is clamped: without this term a decoder can
// match the style's feature statistics with values no image holds, and the clamped result shows
// colours the style never had.
at::Tensor out_of_range_loss(const at::Tensor& images);

}  // namespace varstyle
