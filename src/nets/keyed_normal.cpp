// Keyed standard normal draws (CPU generators: the same values on every device).
#include "nets/keyed_normal.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/ops/randn.h>
#include <ATen/ops/stack.h>

namespace varstyle {

at::Tensor keyed_normal(const std::vector<uint64_t>& keys, at::IntArrayRef shape, const at::TensorOptions& options) {
  std::vector<at::Tensor> rows;
  rows.reserve(keys.size());
  for (uint64_t key : keys) {
    auto generator = at::make_generator<at::CPUGeneratorImpl>(key);
    rows.push_back(at::randn(shape, generator, at::TensorOptions().dtype(at::kFloat)));
  }
  return at::stack(rows).to(options);
}

}  // namespace varstyle
