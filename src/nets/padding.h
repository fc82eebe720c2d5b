// One-pixel padding for 3x3 convolutions: reflection (avoids the dark borders zero padding
// leaves in generated images) or zeros.
#pragma once

#include <ATen/ATen.h>

#include "core/config_enums.h"

namespace varstyle {

// A 1-pixel side cannot be reflected; it is replicated (small images at deep taps).
inline at::Tensor pad_one(const at::Tensor& x, Padding padding) {
  if (padding != Padding::kReflect) return at::constant_pad_nd(x, {1, 1, 1, 1}, 0);
  if (x.size(-1) < 2 || x.size(-2) < 2) return at::replication_pad2d(x, {1, 1, 1, 1});
  return at::reflection_pad2d(x, {1, 1, 1, 1});
}

}  // namespace varstyle
