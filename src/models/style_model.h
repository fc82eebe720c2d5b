// The one interface the trainer and the evaluator drive every model through: a training step
// returning named, weighted loss terms, and the inference API (stylize; encode_style, decode,
// interpolate and sample where the model has a style code).
#pragma once

#include <torch/nn/module.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/config.h"
#include "losses/loss_terms.h"
#include "models/networks.h"
#include "nets/feature_network.h"
#include "nets/keyed_normal.h"

namespace varstyle {

struct StepInput {
  at::Tensor content;                 // [B, 3, H, W] in [0, 1]
  at::Tensor style;                   // [B, 3, H, W] in [0, 1]
  // One key per sample for its latent noise, e.g. mix(seed, epoch, global position), so that a
  // sample's noise is the same whatever the number of ranks. Empty: keys from (step, row).
  std::vector<uint64_t> noise_keys;
  int64_t step = 0;
};

class StyleModel : public torch::nn::Module {
 public:
  virtual std::string kind() const = 0;
  virtual LossTerms training_step(const StepInput& input) = 0;
  // alpha in [0, 1] trades content (0: the content's own reconstruction path) against style (1).
  // Models with a style code decode the content with the style's code; the others override it.
  virtual at::Tensor stylize(const at::Tensor& content, const at::Tensor& style, double alpha = 1.0);
  // Mixes several styles with weights (codes for vst/wae, features for adain/linear).
  virtual at::Tensor interpolate(const at::Tensor& content, const std::vector<at::Tensor>& styles,
                                 const std::vector<double>& weights);

  virtual bool has_style_code() const { return false; }
  // The style code's length (encode_style's columns, what sample draws); 0 without a code.
  virtual int64_t code_size() const { return 0; }
  // The code's last dimensions that carry a summary of the image measured, not learnt (the
  // spectrum part, models/code_spectrum.h): they vary over any style set by construction, so the
  // evaluator counts active dimensions over the others.
  virtual int64_t measured_code_dims() const { return 0; }
  virtual at::Tensor encode_style(const at::Tensor& style);   // [B, D]; throws if no code
  virtual at::Tensor decode(const at::Tensor& content, const at::Tensor& code, double alpha = 1.0);
  // `count` new styles drawn from N(0, I) with `seed`, applied to one content image.
  at::Tensor sample(const at::Tensor& content, int64_t count, uint64_t seed);

  // The content side of a decode, computed once per content image so that an interactive client
  // (varstyle explore) re-runs only the decoder part when the code, the styles or alpha change.
  // decode_prepared(prepare_content(x), code, alpha) equals decode(x, code, alpha) bit for bit;
  // mix_prepared(prepare_content(x), {prepare_style(s)}, {1}, alpha) equals stylize(x, s, alpha).
  struct PreparedContent {
    at::Tensor features;  // what the decoder part starts from (the image itself by default)
    at::Tensor own_code;  // the content's own style code where alpha blends towards it (wae)
  };
  virtual PreparedContent prepare_content(const at::Tensor& content);
  virtual at::Tensor decode_prepared(const PreparedContent& content, const at::Tensor& code, double alpha = 1.0);
  // A style's reusable part: its code for models with one, its encoder features otherwise.
  virtual at::Tensor prepare_style(const at::Tensor& style);
  // Weighted mix of prepared styles on prepared content: codes are mixed for models with one,
  // AdaIN or transformed targets otherwise (as interpolate does), then blended by alpha.
  virtual at::Tensor mix_prepared(const PreparedContent& content, const std::vector<at::Tensor>& styles,
                                  const std::vector<double>& weights, double alpha = 1.0);

  std::vector<at::Tensor> trainable_parameters();
  // Frozen networks stay in evaluation mode whatever the trainer asks.
  void train(bool on = true) override;
  std::string describe() const;  // kind and networks, for logs and reports

 protected:
  // Registers the frozen encoder ("vgg") and, when separate, the loss network ("loss_network"),
  // and keeps both in evaluation mode.
  Networks adopt(Networks networks);
  void add_frozen(const std::shared_ptr<FeatureNetwork>& network);
  [[noreturn]] void unsupported(const std::string& operation) const;
  // decode() with one code per content row; a single code serves every row.
  at::Tensor decode_each(const at::Tensor& content, at::Tensor code, double alpha = 1.0);

 private:
  std::vector<std::shared_ptr<FeatureNetwork>> frozen_;
};

// The stream of the decoder's noise inputs (each model's other streams are below it).
constexpr uint64_t kDecoderNoiseStream = 9;
// The keys of a step: given, or derived from (step, row, stream) when none were given.
std::vector<uint64_t> noise_keys_for(const StepInput& input, uint64_t stream);

// Builds the model named by config.model.kind with weights drawn from model.init_seed and the
// loss network of config.loss. Throws ConfigError naming the key for an impossible combination.
// `weights_follow`: the caller loads every tensor afterwards (a checkpoint), so random weights
// are not worth a warning.
std::shared_ptr<StyleModel> make_model(const Config& config, bool weights_follow = false);

}  // namespace varstyle

namespace varstyle {

// z = mu + exp(log_variance / 2) * eps, eps ~ N(0, I) drawn per row from `keys` (the
// reparameterisation trick: differentiable in mu and log_variance).
at::Tensor reparameterise(const at::Tensor& mean, const at::Tensor& log_variance,
                          const std::vector<uint64_t>& keys);

}  // namespace varstyle
