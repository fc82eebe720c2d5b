// copy_tensors_by_name and module_tensors.
#include "nets/tensor_copy.h"

#include <ATen/core/grad_mode.h>

#include <fmt/format.h>

#include "core/error.h"

namespace varstyle {

NamedTargets module_tensors(const torch::nn::Module& module) {
  NamedTargets tensors;
  for (const auto& item : module.named_parameters()) tensors.emplace_back(item.key(), item.value());
  for (const auto& item : module.named_buffers()) tensors.emplace_back(item.key(), item.value());
  return tensors;
}

void copy_tensors_by_name(const NamedTargets& targets, const std::map<std::string, at::Tensor>& stored,
                          const std::string& file, const std::string& needed_by,
                          const std::function<bool(const std::string&)>& optional) {
  at::NoGradGuard no_grad;
  for (const auto& [name, target] : targets) {
    const auto it = stored.find(name);
    if (it == stored.end()) {
      if (optional && optional(name)) continue;
      throw Error(fmt::format("{}: tensor '{}' is missing (needed by {})", file, name, needed_by));
    }
    if (it->second.sizes() != target.sizes())
      throw Error(fmt::format("{}: tensor '{}' has shape [{}] but {} expects [{}]", file, name,
                              fmt::join(it->second.sizes(), ", "), needed_by, fmt::join(target.sizes(), ", ")));
    at::Tensor destination = target;  // shares the storage; copy_ writes into the module's tensor
    destination.copy_(it->second);
  }
}

}  // namespace varstyle
