// One-pixel padding for 3x3 convolutions: reflection (avoids the dark borders zero padding
// leaves in generated images) or zeros.
#pragma once

#include <ATen/ATen.h>

#include <string>

namespace varstyle {

// A 1-pixel side cannot be reflected; it is replicated (small images at deep taps).
inline at::Tensor pad_one(const at::Tensor& x, const std::string& padding) {
  if (padding != "reflect") return at::constant_pad_nd(x, {1, 1, 1, 1}, 0);
  if (x.size(-1) < 2 || x.size(-2) < 2) return at::replication_pad2d(x, {1, 1, 1, 1});
  return at::reflection_pad2d(x, {1, 1, 1, 1});
}

}  // namespace varstyle
