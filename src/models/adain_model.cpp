// AdainModel: AdaIN target, decoder training step, alpha and feature interpolation.
#include "models/adain_model.h"

#include <torch/csrc/autograd/grad_mode.h>

#include "nets/adain.h"

namespace varstyle {

AdainModel::AdainModel(const Config& config) : loss_(config.loss), model_(config.model), depth_(config.model.encoder_depth) {
  check_spectrum_setting(config.model);
  networks_ = adopt(build_networks(config, {depth_}));
  decoder_ = register_module("decoder", std::make_shared<Decoder>(config.model.width, config.model.padding, encoder_depth(depth_),
                                                     decoder_noise_options(config.model)));
  criterion_ = std::make_unique<PerceptualCriterion>(config.loss, networks_.loss);
}

at::Tensor AdainModel::encode(const at::Tensor& images) {
  torch::NoGradGuard no_grad;
  return networks_.vgg->features(images, {depth_}).at(depth_);
}

LossTerms AdainModel::training_step(const StepInput& input) {
  const at::Tensor content = encode(input.content);
  at::Tensor style_encoded;
  const FeatureMap style_features = criterion_->style_features(input.style, *networks_.vgg, depth_, &style_encoded);
  const at::Tensor target = adain(content, style_encoded);
  const at::Tensor output = decoder_->forward(target, {}, noise_keys_for(input, kDecoderNoiseStream), NoiseInputs::kOn,
                                              measured_style_spectrum(model_, style_encoded));
  const FeatureMap output_features = criterion_->output_features(output);
  LossTerms terms;
  if (loss_.content_target == ContentTarget::kAdain) {
    criterion_->add_content_term(terms, output_features, {{depth_, target}});
  } else {
    criterion_->add_content_term(terms, output_features, criterion_->content_targets(input.content, input.style, style_features));
  }
  criterion_->add_style_terms(terms, output_features, style_features);
  criterion_->add_image_terms(terms, output);
  return terms;
}

at::Tensor AdainModel::stylize(const at::Tensor& content, const at::Tensor& style, double alpha) {
  const at::Tensor features = encode(content), style_features = encode(style);
  const at::Tensor target = adain(features, style_features);
  return decoder_->forward(alpha * target + (1.0 - alpha) * features, {}, {}, NoiseInputs::kOn,
                           measured_style_spectrum(model_, style_features));
}

at::Tensor AdainModel::interpolate(const at::Tensor& content, const std::vector<at::Tensor>& styles,
                                   const std::vector<double>& weights) {
  // The explorer's path with every part prepared here: one mixing rule for both.
  std::vector<at::Tensor> prepared;
  for (const auto& style : styles) prepared.push_back(prepare_style(style));
  return mix_prepared(prepare_content(content), prepared, weights);
}

StyleModel::PreparedContent AdainModel::prepare_content(const at::Tensor& content) { return {encode(content), {}}; }

at::Tensor AdainModel::prepare_style(const at::Tensor& style) { return encode(style); }

at::Tensor AdainModel::mix_prepared(const PreparedContent& content, const std::vector<at::Tensor>& styles,
                                    const std::vector<double>& weights, double alpha) {
  TORCH_CHECK(!styles.empty() && styles.size() == weights.size(), "mix_prepared needs one weight per style");
  at::Tensor target = weights[0] * adain(content.features, styles[0]);
  for (size_t i = 1; i < styles.size(); ++i) target = target + weights[i] * adain(content.features, styles[i]);
  return decoder_->forward(alpha * target + (1.0 - alpha) * content.features, {}, {}, NoiseInputs::kOn,
                           mixed_style_spectrum(model_, styles, weights));
}

}  // namespace varstyle
