// Adaptive instance normalisation (Huang & Belongie 2017):
// AdaIN(x, y) = sigma(y) (x - mu(x)) / sigma(x) + mu(y), with per-channel statistics over
// positions, or with the scale and bias given directly (from a style code, Schopohl & Fuchsgruber).
#pragma once

#include <ATen/ATen.h>

namespace varstyle {

// x [B, C, H, W] normalised per channel, then scaled by `scale` and shifted by `bias` ([B, C]).
at::Tensor adain_with(const at::Tensor& x, const at::Tensor& scale, const at::Tensor& bias, double eps = 1e-5);

// AdaIN(content, style): the statistics of `style` ([B or 1, C, H', W']) imposed on `content`.
at::Tensor adain(const at::Tensor& content, const at::Tensor& style, double eps = 1e-5);

}  // namespace varstyle
