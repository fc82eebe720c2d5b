// Content (feature MSE) and total-variation losses.
#include "losses/image_losses.h"

namespace varstyle {

at::Tensor content_loss(const std::vector<TapPair>& taps) {
  TORCH_CHECK(!taps.empty(), "the content loss needs at least one tap");
  at::Tensor total = at::zeros({}, taps.front().output.options());
  for (const auto& tap : taps) {
    TORCH_CHECK(tap.output.sizes() == tap.target.sizes(), "content features differ in shape: ",
                tap.output.sizes(), " vs ", tap.target.sizes());
    total = total + tap.weight * (tap.output - tap.target).pow(2).mean();
  }
  return total;
}

at::Tensor total_variation_loss(const at::Tensor& images) {
  TORCH_CHECK(images.dim() == 4, "total variation needs [B, C, H, W]");
  const int64_t h = images.size(2), w = images.size(3);
  const at::Tensor vertical = (images.narrow(2, 1, h - 1) - images.narrow(2, 0, h - 1)).abs().mean();
  const at::Tensor horizontal = (images.narrow(3, 1, w - 1) - images.narrow(3, 0, w - 1)).abs().mean();
  return vertical + horizontal;
}

at::Tensor out_of_range_loss(const at::Tensor& images) {
  return (at::relu(images - 1.0).pow(2) + at::relu(-images).pow(2)).mean();
}

}  // namespace varstyle
