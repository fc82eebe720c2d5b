// load_checkpoint_model: config.yaml + model.h5 -> an evaluation-mode StyleModel.
#include "train/checkpoint_model.h"

#include <ATen/core/grad_mode.h>

#include <fmt/format.h>

#include "core/error.h"
#include "train/checkpoint_store.h"
#include "train/tensor_file.h"

namespace varstyle {
namespace fs = std::filesystem;

LoadedModel load_checkpoint_model(const fs::path& path, const c10::Device& device) {
  LoadedModel loaded;
  loaded.model_file = CheckpointStore::resolve_model_file(path);
  const fs::path config_file = loaded.model_file.parent_path() / "config.yaml";
  if (!fs::exists(config_file))
    throw Error(fmt::format("{}: missing; a checkpoint needs the config it was trained with", config_file.string()));
  try {
    loaded.config = load_config(config_file, {});
  } catch (const ConfigError& e) {
    throw Error(fmt::format("{}: cannot use the checkpoint's config: {}", config_file.string(), e.what()));
  }
  // Every weight, the frozen networks' included, comes from model.h5.
  Config build = loaded.config;
  build.model.encoder_weights.clear();
  build.loss.network_weights.clear();
  loaded.model = make_model(build, /*weights_follow=*/true);
  const auto stored = read_tensor_file(loaded.model_file);
  at::NoGradGuard no_grad;
  auto assign = [&](const std::string& name, at::Tensor& tensor) {
    auto it = stored.find(name);
    if (it == stored.end())
      throw Error(fmt::format("{}: tensor '{}' is missing (a {} model needs it)", loaded.model_file.string(), name,
                              loaded.config.model.kind));
    if (it->second.sizes() != tensor.sizes())
      throw Error(fmt::format("{}: tensor '{}' has shape [{}], the {} model expects [{}]", loaded.model_file.string(),
                              name, fmt::join(it->second.sizes(), ", "), loaded.config.model.kind,
                              fmt::join(tensor.sizes(), ", ")));
    tensor.copy_(it->second);
  };
  for (auto& item : loaded.model->named_parameters()) assign(item.key(), item.value());
  for (auto& item : loaded.model->named_buffers()) assign(item.key(), item.value());
  loaded.model->to(device);
  loaded.model->eval();
  return loaded;
}

}  // namespace varstyle
