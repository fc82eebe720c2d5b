// One-pixel padding for 3x3 convolutions: reflection (avoids the dark borders zero padding
// leaves in generated images) or zeros.
#pragma once

#include <ATen/ATen.h>

#include <string>

namespace varstyle {

inline at::Tensor pad_one(const at::Tensor& x, const std::string& padding) {
  return padding == "reflect" ? at::reflection_pad2d(x, {1, 1, 1, 1}) : at::constant_pad_nd(x, {1, 1, 1, 1}, 0);
}

}  // namespace varstyle
