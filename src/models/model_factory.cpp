// make_model: the model named by model.kind, with weights drawn from model.init_seed.
#include <ATen/Context.h>
#include <spdlog/spdlog.h>

#include <fmt/format.h>

#include "core/error.h"
#include "models/adain_model.h"
#include "models/linear_model.h"
#include "models/style_model.h"
#include "models/vst_model.h"
#include "models/wae_model.h"

namespace varstyle {

std::shared_ptr<StyleModel> make_model(const Config& config, bool weights_follow) {
  // Every randomly initialised weight comes from the global generator; seeding it here makes a
  // model a function of its config, the same on every rank before any broadcast.
  at::manual_seed(static_cast<uint64_t>(config.model.init_seed));
  const std::string& kind = config.model.kind;
  std::shared_ptr<StyleModel> model;
  if (kind == "vst") model = std::make_shared<VstModel>(config);
  else if (kind == "wae") model = std::make_shared<WaeModel>(config);
  else if (kind == "adain") model = std::make_shared<AdainModel>(config);
  else if (kind == "linear") model = std::make_shared<LinearModel>(config);
  else throw ConfigError(fmt::format("model.kind: unknown kind '{}'", kind));
  if (config.model.encoder_weights.empty() && !weights_follow)
    spdlog::warn("model.encoder_weights is not set: VGG19 uses random weights (seed model.init_seed); "
                 "stylisation quality will be below that of pretrained weights");
  return model;
}

}  // namespace varstyle
