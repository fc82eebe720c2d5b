// VstModel: training step with the reparameterised style code, and the inference API.
#include "models/vst_model.h"

#include <torch/csrc/autograd/grad_mode.h>

#include <algorithm>

#include "losses/latent_losses.h"

namespace varstyle {

VstModel::VstModel(const Config& config)
    : loss_(config.loss),
      shallow_(config.model.content_encoder == ContentEncoder::kShallow),
      latent_dim_(config.model.latent_dim),
      depth_(config.model.encoder_depth),
      moments_(config.model.style_encoder_moments) {
  networks_ = adopt(build_networks(config, {"relu3_1", depth_}));
  auto decoder = std::make_shared<Decoder>(config.model.width, config.model.padding, encoder_depth(depth_),
                                                     decoder_noise_options(config.model));
  // Registration order is the gradient reducer's bucket order reversed: the decoder, whose
  // gradients backward produces first, is registered last so that its buckets' all-reduces start
  // while backward goes on through the MLP and the encoders.
  if (shallow_)
    shallow_encoder_ = register_module("content_encoder", std::make_shared<ShallowEncoder>(config.model.width, encoder_depth(depth_)));
  style_encoder_ = register_module("style_encoder", std::make_shared<StyleEncoder>(networks_.vgg->tap_channels("relu3_1"),
                                                                                   config.model.latent_dim, moments_.size(*networks_.vgg)));
  to_adain_ = register_module("to_adain", std::make_shared<StyleToAdain>(config.model.latent_dim,
                                                                          modulated_channels(config.model, *decoder)));
  spectrum_ = std::make_unique<CodeSpectrum>(*this, config.model, config.loss);
  decoder_ = register_module("decoder", decoder);
  criterion_ = std::make_unique<PerceptualCriterion>(config.loss, networks_.loss);
}

at::Tensor VstModel::content_features(const at::Tensor& images) {
  if (shallow_) return shallow_encoder_->forward(images);
  torch::NoGradGuard no_grad;
  return networks_.vgg->features(images, {depth_}).at(depth_);
}

GaussianCode VstModel::full_code(const at::Tensor& style_encoded, const at::Tensor& moments,
                                 const at::Tensor& spectrum_summary) {
  return spectrum_->append(style_encoder_->forward(style_encoded, moments), spectrum_summary);
}

GaussianCode VstModel::style_code(const at::Tensor& images) {
  std::vector<std::string> taps = moments_.vgg_taps();
  taps.push_back("relu3_1");  // one pass for E_s's convolutions and the moments
  const FeatureMap features = networks_.vgg->features(images, taps);
  return full_code(features.at("relu3_1"), moments_(images, features), spectrum_->summary(images));
}

at::Tensor VstModel::decode_features(const at::Tensor& features, const at::Tensor& code, double alpha) {
  std::vector<Modulation> modulations = to_adain_->forward(spectrum_->modulation_part(code));
  for (auto& modulation : modulations) modulation.alpha = alpha;
  const at::Tensor target = modulate(features, modulations.front());
  return decoder_->forward(target, std::vector<Modulation>(modulations.begin() + 1, modulations.end()), {},
                           NoiseInputs::kOn, spectrum_->predicted(code));
}

LossTerms VstModel::training_step(const StepInput& input) {
  const at::Tensor content = content_features(input.content);
  // E_s reads VGG relu3_1 of the style batch.
  at::Tensor style_encoded;
  const FeatureMap style_features = criterion_->style_features(input.style, *networks_.vgg, "relu3_1", &style_encoded);
  const at::Tensor style_summary = spectrum_->summary(input.style);
  FeatureMap moment_features;  // the encoder's features at the moments' taps (relu3_1 is at hand)
  if (!moments_.empty()) {
    torch::NoGradGuard no_grad;
    std::vector<std::string> taps;
    for (const auto& tap : moments_.vgg_taps())
      if (tap != "relu3_1") taps.push_back(tap);
    if (!taps.empty()) moment_features = networks_.vgg->features(input.style, taps);
    moment_features["relu3_1"] = style_encoded;
  }
  const GaussianCode code = full_code(style_encoded, moments_(input.style, moment_features), style_summary);
  const at::Tensor z = reparameterise(code.mean, code.log_variance, noise_keys_for(input, 1));
  // The spectrum the code predicts: what a decode from the code alone (a sample, an
  // interpolation) draws the coarse map with, so training draws it with that too. Detached: the
  // spectrum term alone trains its part of the code, towards the style's measured spectrum, and
  // the image losses leave it alone (they would trade it against the colours' part).
  const at::Tensor spectrum = spectrum_->predicted(z);
  const at::Tensor decoder_spectrum = spectrum_->on() ? spectrum.detach() : at::Tensor();

  std::vector<Modulation> modulations = to_adain_->forward(spectrum_->modulation_part(z));
  const std::vector<Modulation> later(modulations.begin() + 1, modulations.end());
  const at::Tensor target = modulate(content, modulations.front());
  const std::vector<uint64_t> decoder_keys = noise_keys_for(input, kDecoderNoiseStream);
  const at::Tensor output = decoder_->forward(target, later, decoder_keys, NoiseInputs::kOn, decoder_spectrum);
  const FeatureMap output_features = criterion_->output_features(output);

  LossTerms terms;
  if (loss_.content_target == ContentTarget::kAdain && !shallow_) {
    criterion_->add_content_term(terms, output_features, {{depth_, target}});
  } else {
    criterion_->add_content_term(terms, output_features, criterion_->content_targets(input.content, input.style, style_features));
  }
  criterion_->add_style_terms(terms, output_features, style_features);
  const double warmup = loss_.kl_warmup > 0 ? std::min(1.0, static_cast<double>(input.step) / loss_.kl_warmup) : 1.0;
  terms.add("kl", loss_.kl * warmup, [&] { return kl_divergence_loss(code.mean, code.log_variance, loss_.kl_free_bits); });
  terms.add("disentangle", loss_.disentangle, [&] {
    // A second stylisation with the same code z of other contents (the batch rolled by one):
    // the two results' codes should be closer to each other than the first is to the style's
    // code. Means on both sides: against the noisy z, ||e1 - z||^2 would carry tr Sigma (about
    // latent_dim with a code near the prior) and the hinge would never activate.
    const at::Tensor other = decoder_->forward(modulate(content.roll(1, 0), modulations.front()), later, decoder_keys,
                                               NoiseInputs::kOn, decoder_spectrum);
    const at::Tensor code_1 = style_code(output).mean;
    const at::Tensor code_2 = style_code(other).mean;
    return disentangle_loss(code_1, code_2, code.mean.detach(), loss_.disentangle_margin);
  });
  terms.add("spectrum", spectrum_->term_weight(loss_.spectrum), [&] { return (spectrum - style_summary).pow(2).mean(); });
  criterion_->add_image_terms(terms, output);
  return terms;
}

at::Tensor VstModel::encode_style(const at::Tensor& style) { return style_code(style).mean; }

at::Tensor VstModel::decode(const at::Tensor& content, const at::Tensor& code, double alpha) {
  return decode_features(content_features(content), code, alpha);
}

StyleModel::PreparedContent VstModel::prepare_content(const at::Tensor& content) { return {content_features(content), {}}; }

at::Tensor VstModel::decode_prepared(const PreparedContent& content, const at::Tensor& code, double alpha) {
  return decode_features(content.features, code, alpha);
}

}  // namespace varstyle
