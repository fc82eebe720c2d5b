// The frozen networks a model uses: one VGG19 built as deep as the encoder and (when shared) the
// loss taps need, and the loss network (the same VGG, a separately loaded VGG, or a ResNet).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/config.h"
#include "nets/decoder.h"
#include "nets/vgg19.h"

namespace varstyle {

struct Networks {
  std::shared_ptr<Vgg19> vgg;              // frozen encoder
  std::shared_ptr<FeatureNetwork> loss;    // frozen loss network (may be `vgg` itself)
};

// `encoder_taps`: the VGG taps the model reads itself (e.g. relu3_1, relu4_1). Loads the
// configured weights, if any, and freezes both networks (make_model warns about random ones).
Networks build_networks(const Config& config, const std::vector<std::string>& encoder_taps);

// The decoder's noise inputs as the model section sets them (decoder_noise, decoder_coarse_*).
NoiseOptions decoder_noise_options(const ModelConfig& model);

// The channels a style code modulates (model.adain_stages of them, vst and wae): the decoder's
// input, then its stages after each upsampling. Throws ConfigError when the decoder has fewer.
std::vector<int64_t> modulated_channels(const ModelConfig& model, const Decoder& decoder);

// Throws ConfigError for model.decoder_coarse_spectrum: style without a coarse map to shape.
void check_spectrum_setting(const ModelConfig& model);

// For the kinds whose every decode has the style's encoder features (adain, linear): with
// model.decoder_coarse_spectrum: style, the spectrum summaries of `features` ([B, C, h, w] at the
// model's encoder depth) for the decoder's coarse map, measured as constants; otherwise none.
at::Tensor measured_style_spectrum(const ModelConfig& model, const at::Tensor& features);
// The weighted mix of several styles' measured summaries (of log powers: a weighted geometric
// mean of the powers), as their targets are mixed; none unless the setting asks for them.
at::Tensor mixed_style_spectrum(const ModelConfig& model, const std::vector<at::Tensor>& features,
                                const std::vector<double>& weights);

}  // namespace varstyle
