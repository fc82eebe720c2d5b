// Standard normal draws from one generator per key, so that a sample's noise depends on its key
// alone: the same for any number of ranks, any batch position, and after a resume.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace varstyle {

// [keys.size(), shape...] standard normal values; row i comes from keys[i] only.
at::Tensor keyed_normal(const std::vector<uint64_t>& keys, at::IntArrayRef shape, const at::TensorOptions& options);

}  // namespace varstyle
