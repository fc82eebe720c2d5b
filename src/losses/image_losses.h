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

}  // namespace varstyle
