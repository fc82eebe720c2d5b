// What the explorer shows about a code space: each dimension's variance of E[z|x] over the style
// set (the slider order, most used dimensions first, and the slider's label) and the mean code
// of each style label (the label presets). The paper: Chandra et al. 2018, section 4.1.
#pragma once

#include <ATen/ATen.h>

#include <string>
#include <vector>

namespace varstyle {

struct LabelPreset {
  std::string name;
  std::vector<float> code;  // mean E[z|x] over the styles with this label
  int64_t count = 0;
};

struct LatentSummary {
  std::vector<double> variance;  // per dimension, over the styles (population variance)
  std::vector<int64_t> order;    // dimensions by decreasing variance; ties by index
  std::vector<LabelPreset> labels;  // in order of first appearance; empty without labels
};

// codes: [N, D] style codes; labels: N names ("" for none) or empty.
LatentSummary summarise_codes(const at::Tensor& codes, const std::vector<std::string>& labels);

}  // namespace varstyle
