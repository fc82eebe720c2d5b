// The three kinds of evaluated method: a checkpoint's model, Gatys, the identity.
#include "eval/stylizer.h"

#include <ATen/core/grad_mode.h>

#include <algorithm>

#include <fmt/format.h>

#include "core/config.h"
#include "core/error.h"
#include "nets/autocast_scope.h"
#include "checkpoint/checkpoint_model.h"

namespace varstyle {

namespace {

class ModelStylizer : public Stylizer {
 public:
  ModelStylizer(std::shared_ptr<StyleModel> model, const c10::Device& device, bool bf16)
      : model_(std::move(model)), bf16_(bf16), device_(device) {}
  at::Tensor stylize(const at::Tensor& content, const at::Tensor& style) override {
    return autocast_forward(bf16_, device_, [this](const at::Tensor& c, const at::Tensor& s) {
      return model_->stylize(c, s);
    })(content, style);
  }
  bool warms_up() const override { return true; }
  std::shared_ptr<StyleModel> model() const override { return model_; }

 private:
  std::shared_ptr<StyleModel> model_;
  bool bf16_;
  c10::Device device_;
};

class GatysStylizer : public Stylizer {
 public:
  explicit GatysStylizer(std::shared_ptr<Gatys> gatys) : gatys_(std::move(gatys)) {}
  at::Tensor stylize(const at::Tensor& content, const at::Tensor& style) override {
    at::AutoGradMode grad(true);  // the image itself is optimised
    return gatys_->stylize(content, style);
  }
  int timed_calls(int) const override { return 1; }

 private:
  std::shared_ptr<Gatys> gatys_;
};

class IdentityStylizer : public Stylizer {
 public:
  at::Tensor stylize(const at::Tensor& content, const at::Tensor&) override { return content.clone(); }
  bool is_reference() const override { return true; }
};

}  // namespace

std::string method_name(const std::string& spec) { return spec.substr(0, spec.find(':')); }

std::unique_ptr<Stylizer> make_stylizer(const std::string& spec, std::shared_ptr<Gatys> gatys, const c10::Device& device,
                                        bool bf16) {
  const auto colon = spec.find(':');
  if (colon != std::string::npos) {
    auto model = load_checkpoint_model(spec.substr(colon + 1), device).model;
    // A NAME is free, but one that is another kind's name would put that kind's label on this
    // model's row in every table and figure (a run path typed for the wrong kind).
    const std::string name = method_name(spec);
    if (std::find(kModelKinds.begin(), kModelKinds.end(), name) != kModelKinds.end() && name != model->kind())
      throw ConfigError(fmt::format("eval.methods: '{}' is named {} but its checkpoint holds a {} model (name it {} or "
                                    "something that is not a model kind)", spec, name, model->kind(), model->kind()));
    return std::make_unique<ModelStylizer>(std::move(model), device, bf16);
  }
  if (spec == "gatys") return std::make_unique<GatysStylizer>(std::move(gatys));
  if (spec == "identity") return std::make_unique<IdentityStylizer>();
  throw ConfigError(fmt::format("eval.methods: '{}' is not NAME:CHECKPOINT, gatys or identity", spec));
}

}  // namespace varstyle
