// WaeModel: split latent, reconstruction + transfer training step, MMD and log-variance terms.
#include "models/wae_model.h"

#include <torch/csrc/autograd/grad_mode.h>

#include "losses/image_losses.h"
#include "core/hash.h"
#include "losses/latent_losses.h"

namespace varstyle {

namespace {

// The modulations after the decoder's input (model.adain_stages - 1 of them).
std::vector<Modulation> later_stages(const std::vector<Modulation>& modulations) {
  return {modulations.begin() + 1, modulations.end()};
}

// Every position's vector of a [B, C, H, W] map as rows [B H W, C].
at::Tensor all_positions(const at::Tensor& map) { return map.permute({0, 2, 3, 1}).reshape({-1, map.size(1)}); }

}  // namespace

WaeModel::WaeModel(const Config& config)
    : latent_dim_(config.model.latent_dim),
      loss_(config.loss),
      depth_(config.model.encoder_depth),
      moments_(config.model.style_encoder_moments) {
  networks_ = adopt(build_networks(config, {"relu3_1", depth_}));
  const int64_t channels = networks_.vgg->tap_channels(depth_);
  const int64_t content_dim = config.model.content_dim;
  content_head_ = register_module("content_head", torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, 2 * content_dim, 1)));
  from_content_ = register_module("from_content", torch::nn::Conv2d(torch::nn::Conv2dOptions(content_dim, channels, 1)));
  style_encoder_ = register_module("style_encoder", std::make_shared<StyleEncoder>(networks_.vgg->tap_channels("relu3_1"),
                                                                                   config.model.latent_dim, moments_.size(*networks_.vgg)));
  auto decoder = std::make_shared<Decoder>(config.model.width, config.model.padding, encoder_depth(depth_),
                                           decoder_noise_options(config.model));
  to_adain_ = register_module("to_adain", std::make_shared<StyleToAdain>(config.model.latent_dim,
                                                                          modulated_channels(config.model, *decoder)));
  spectrum_ = std::make_unique<CodeSpectrum>(*this, config.model, config.loss);
  decoder_ = register_module("decoder", decoder);
  if (config.model.code_colour)
    code_colour_ = register_module("code_colour", std::make_shared<CodeColour>(config.model.latent_dim));
  criterion_ = std::make_unique<PerceptualCriterion>(config.loss, networks_.loss);
}

WaeModel::Encoded WaeModel::encode(const at::Tensor& images) {
  FeatureMap features;
  {
    torch::NoGradGuard no_grad;
    std::vector<std::string> taps = moments_.vgg_taps();
    taps.insert(taps.end(), {"relu3_1", depth_});
    features = networks_.vgg->features(images, taps);
  }
  const at::Tensor head = content_head_->forward(features.at(depth_));
  const int64_t d = head.size(1) / 2;
  const at::Tensor spectrum = spectrum_->summary(images);
  return {{head.narrow(1, 0, d), head.narrow(1, d, d)},
          spectrum_->append(style_encoder_->forward(features.at("relu3_1"), moments_(images, features)), spectrum),
          spectrum};
}

at::Tensor WaeModel::decoder_input(const at::Tensor& content_latent, const std::vector<Modulation>& modulations) {
  const at::Tensor features = at::relu(from_content_->forward(content_latent));
  return modulate(features, modulations.front());
}

at::Tensor WaeModel::generate(const at::Tensor& content_latent, const at::Tensor& style_code,
                              const std::vector<uint64_t>& noise_keys, NoiseInputs noise) {
  const std::vector<Modulation> modulations = to_adain_->forward(spectrum_->modulation_part(style_code));
  // With the noise off the coarse map is not drawn, so nothing is predicted for it (and no
  // gradient could reach the spectrum's decoder through the reconstruction).
  const at::Tensor coarse = noise == NoiseInputs::kOff ? at::Tensor() : spectrum_->predicted(style_code);
  return coloured(decoder_->forward(decoder_input(content_latent, modulations), later_stages(modulations), noise_keys, noise, coarse),
                  style_code);
}

at::Tensor WaeModel::coloured(const at::Tensor& image, const at::Tensor& style_code) {
  return code_colour_ ? code_colour_->forward(image, spectrum_->modulation_part(style_code)) : image;
}

LossTerms WaeModel::training_step(const StepInput& input) {
  const Encoded content = encode(input.content);
  const Encoded style = encode(input.style);
  const at::Tensor content_latent = reparameterise(content.content.mean, content.content.log_variance, noise_keys_for(input, 1));
  const at::Tensor own_code = reparameterise(content.style.mean, content.style.log_variance, noise_keys_for(input, 2));
  const at::Tensor style_code = reparameterise(style.style.mean, style.style.log_variance, noise_keys_for(input, 3));

  LossTerms terms;
  terms.add("reconstruction", loss_.reconstruction, [&] {
    // Without the noise inputs: rebuilding the content's own pixels is no place for texture, and
    // with noise this term only teaches the decoder to silence it (the strengths fell from 0.1
    // to 0.075 in training while adain's rose to 0.14; docs/quality.md).
    const at::Tensor rebuilt = generate(content_latent, own_code, {}, NoiseInputs::kOff);
    // Rebuilt and target features both come from the loss network, at its content taps (the
    // encoder's features would be another space whenever the loss network is not the encoder).
    const FeatureMap rebuilt_features = criterion_->features_at(rebuilt, loss_.content_layers);
    const FeatureMap target_features = criterion_->target_features(input.content, loss_.content_layers);
    std::vector<TapPair> pairs;
    for (const auto& tap : loss_.content_layers) pairs.push_back({rebuilt_features.at(tap), target_features.at(tap), 1.0});
    return (rebuilt - input.content).pow(2).mean() + content_loss(pairs);
  });
  // The spectrum the style code predicts draws the coarse map, as in every decode from a code.
  // Detached: the spectrum term alone trains the prediction, towards the image's measured
  // spectrum (as for vst; the image losses would trade it against the modulations' part).
  const at::Tensor codes = at::cat({own_code, style_code}, 0);
  const at::Tensor spectra = spectrum_->predicted(codes);
  const at::Tensor style_spectrum = spectrum_->on() ? spectra.narrow(0, own_code.size(0), style_code.size(0)).detach() : at::Tensor();
  const std::vector<Modulation> modulations = to_adain_->forward(spectrum_->modulation_part(style_code));
  const at::Tensor target = decoder_input(content_latent, modulations);
  const at::Tensor output = coloured(decoder_->forward(target, later_stages(modulations), noise_keys_for(input, kDecoderNoiseStream),
                                                       NoiseInputs::kOn, style_spectrum),
                                     style_code);
  const FeatureMap output_features = criterion_->output_features(output);
  const FeatureMap style_features = criterion_->target_features(input.style, criterion_->style_taps());
  if (loss_.content_target == ContentTarget::kAdain) {
    // The decoder's input (the content latent under the style's AdaIN), as for adain: at a
    // shallow tap the content image's own features hold its local texture too.
    criterion_->add_content_term(terms, output_features, {{depth_, target}});
  } else {
    criterion_->add_content_term(terms, output_features, criterion_->content_targets(input.content, input.style, style_features));
  }
  criterion_->add_style_terms(terms, output_features, style_features);
  // Both codes' spectra, the content's too: a decode with alpha < 1 predicts from a blend of the
  // style's code with the content's own.
  terms.add("spectrum", spectrum_->term_weight(loss_.spectrum), [&] {
    return (spectra - at::cat({content.spectrum, style.spectrum}, 0)).pow(2).mean();
  });

  terms.add("mmd", loss_.mmd, [&] {
    const at::Tensor positions = latent_position_samples(content_latent, 256, noise_keys_for(input, 6));
    std::vector<uint64_t> style_keys = noise_keys_for(input, 4), content_keys;
    const std::vector<uint64_t> more = noise_keys_for(input, 5);
    style_keys.insert(style_keys.end(), more.begin(), more.end());
    for (int64_t i = 0; i < positions.size(0); ++i) content_keys.push_back(mix_keys(style_keys[static_cast<size_t>(i) % style_keys.size()], static_cast<uint64_t>(i)));
    const at::Tensor prior_codes = keyed_normal(style_keys, {codes.size(1)}, codes.options());
    const at::Tensor prior_positions = keyed_normal(content_keys, {positions.size(1)}, positions.options());
    return mmd_imq_loss(codes, prior_codes) + mmd_imq_loss(positions, prior_positions);
  });
  terms.add("logvar", loss_.logvar_on == LogvarOn::kNone ? 0.0 : loss_.logvar, [&] {
    at::Tensor total = at::zeros({}, output.options());
    if (loss_.logvar_on != LogvarOn::kStyle)
      total = total + log_variance_loss(all_positions(content.content.log_variance));
    if (loss_.logvar_on != LogvarOn::kContent)
      total = total + log_variance_loss(at::cat({content.style.log_variance, style.style.log_variance}, 0));
    return total;
  });
  terms.add("kl", loss_.kl, [&] {
    return kl_divergence_loss(at::cat({content.style.mean, style.style.mean}, 0),
                              at::cat({content.style.log_variance, style.style.log_variance}, 0), loss_.kl_free_bits);
  });
  criterion_->add_image_terms(terms, output);
  return terms;
}

at::Tensor WaeModel::encode_style(const at::Tensor& style) { return encode(style).style.mean; }

at::Tensor WaeModel::decode(const at::Tensor& content, const at::Tensor& code, double alpha) {
  const Encoded encoded = encode(content);
  const at::Tensor blended = alpha * code + (1.0 - alpha) * encoded.style.mean;
  return generate(encoded.content.mean, blended);
}

StyleModel::PreparedContent WaeModel::prepare_content(const at::Tensor& content) {
  const Encoded encoded = encode(content);
  return {encoded.content.mean, encoded.style.mean};
}

at::Tensor WaeModel::decode_prepared(const PreparedContent& content, const at::Tensor& code, double alpha) {
  const at::Tensor blended = alpha * code + (1.0 - alpha) * content.own_code;
  return generate(content.features, blended);
}

}  // namespace varstyle
