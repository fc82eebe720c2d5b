// load_checkpoint_model: config.yaml + model.h5 -> an evaluation-mode StyleModel.
#include "checkpoint/checkpoint_model.h"

#include <fmt/format.h>

#include "core/error.h"
#include "nets/tensor_copy.h"
#include "checkpoint/checkpoint_store.h"
#include "checkpoint/tensor_file.h"

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
  copy_tensors_by_name(module_tensors(*loaded.model), read_tensor_file(loaded.model_file), loaded.model_file.string(),
                       fmt::format("a {} model", loaded.config.model.kind));
  loaded.model->to(device);
  loaded.model->eval();
  return loaded;
}

}  // namespace varstyle
