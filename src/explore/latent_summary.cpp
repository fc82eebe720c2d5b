// Per-dimension variance, the slider order and label means from a matrix of style codes.
#include "explore/latent_summary.h"

#include <algorithm>
#include <numeric>

namespace varstyle {

LatentSummary summarise_codes(const at::Tensor& codes, const std::vector<std::string>& labels) {
  TORCH_CHECK(codes.dim() == 2, "summarise_codes takes [N, D] codes");
  TORCH_CHECK(labels.empty() || static_cast<int64_t>(labels.size()) == codes.size(0), "one label per code");
  const at::Tensor values = codes.to(at::kCPU, at::kDouble).contiguous();
  LatentSummary summary;
  const int64_t dims = values.size(1);
  summary.variance.assign(static_cast<size_t>(dims), 0.0);
  if (values.size(0) > 0) {
    const at::Tensor variance = values.var(0, /*unbiased=*/false);
    for (int64_t d = 0; d < dims; ++d) summary.variance[static_cast<size_t>(d)] = variance[d].item<double>();
  }
  summary.order.resize(static_cast<size_t>(dims));
  std::iota(summary.order.begin(), summary.order.end(), 0);
  std::stable_sort(summary.order.begin(), summary.order.end(),
                   [&](int64_t a, int64_t b) { return summary.variance[static_cast<size_t>(a)] > summary.variance[static_cast<size_t>(b)]; });
  for (size_t row = 0; row < labels.size(); ++row) {
    if (labels[row].empty()) continue;
    auto preset = std::find_if(summary.labels.begin(), summary.labels.end(), [&](const LabelPreset& p) { return p.name == labels[row]; });
    if (preset == summary.labels.end()) {
      summary.labels.push_back({labels[row], std::vector<float>(static_cast<size_t>(dims), 0.0f), 0});
      preset = summary.labels.end() - 1;
    }
    preset->count += 1;
    for (int64_t d = 0; d < dims; ++d) preset->code[static_cast<size_t>(d)] += static_cast<float>(values[static_cast<int64_t>(row)][d].item<double>());
  }
  for (auto& preset : summary.labels)
    for (auto& value : preset.code) value /= static_cast<float>(preset.count);
  return summary;
}

}  // namespace varstyle
