// Rebuilding a trained model from a checkpoint for inference: the config saved beside the
// weights says which model and networks to build; model.h5 holds every tensor, frozen networks
// included, so no weight file is needed where the model is used.
#pragma once

#include <filesystem>
#include <memory>

#include "core/config.h"
#include "models/style_model.h"

namespace varstyle {

struct LoadedModel {
  std::shared_ptr<StyleModel> model;
  Config config;
  std::filesystem::path model_file;  // the model.h5 that was loaded
};

// `path`: a checkpoint folder (step-NNNNNNN), a run folder (its newest complete checkpoint), or a
// model.h5. Throws Error naming the file when it is missing, incomplete or does not fit.
LoadedModel load_checkpoint_model(const std::filesystem::path& path, const c10::Device& device);

}  // namespace varstyle
