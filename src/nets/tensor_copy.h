// Copying stored tensors into a module's by name (checkpoints, weight files): one rule for a
// tensor that is missing or does not fit, and one message for each.
#pragma once

#include <torch/nn/module.h>

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace varstyle {

using NamedTargets = std::vector<std::pair<std::string, at::Tensor>>;

// The module's parameters, then its buffers, under their registered names.
NamedTargets module_tensors(const torch::nn::Module& module);

// Copies stored[name] into each target (converting the dtype); throws Error naming `file`, the
// tensor and `needed_by` ("a vst model") when one is missing or has another shape. Targets for
// which `optional` is true may be missing.
void copy_tensors_by_name(const NamedTargets& targets, const std::map<std::string, at::Tensor>& stored,
                          const std::string& file, const std::string& needed_by,
                          const std::function<bool(const std::string&)>& optional = nullptr);

}  // namespace varstyle
