// make_model: the model named by model.kind, with weights drawn from model.init_seed.
#include <ATen/Context.h>

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
  set_random_weight_warning(!weights_follow);
  const std::string& kind = config.model.kind;
  if (kind == "vst") return std::make_shared<VstModel>(config);
  if (kind == "wae") return std::make_shared<WaeModel>(config);
  if (kind == "adain") return std::make_shared<AdainModel>(config);
  if (kind == "linear") return std::make_shared<LinearModel>(config);
  throw ConfigError(fmt::format("model.kind: unknown kind '{}'", kind));
}

}  // namespace varstyle
