// One-shot style transfer with a Wasserstein autoencoder (Nakada & Asoh 2021): the latent is split
// into a content part (a variational map from VGG relu4_1, model.content_dim channels) and a style
// part (the variational style encoder's code, model.latent_dim, and the spectrum part if any); the decoder maps the content part
// back to relu4_1 space and applies AdaIN from the style part; with model.adain_stages also at
// later decoder stages, where the code sets the spread of features the decoder has already built
// from the content (an input modulation alone leaves that to the decoder, and wae's outputs kept
// the photographs' contrast). Training reconstructs the content image from its own latents and
// transfers the style image's code onto it; the latents are pulled to N(0, I) by MMD (inverse
// multiquadric kernel) and regularised by sum |log sigma^2| on the content part, the style part,
// or both. With model.code_colour the code also sets a colour transform of the decoder's output;
// with model.decoder_coarse_spectrum: style it ends with a part that carries the style's spectrum,
// from which the decoder's coarse noise map is drawn (models/code_spectrum.h).
#pragma once

#include <torch/nn/modules/conv.h>

#include "models/code_spectrum.h"
#include "models/encoder_moments.h"
#include "models/networks.h"
#include "losses/perceptual_criterion.h"
#include "models/style_model.h"
#include "nets/code_colour.h"
#include "nets/decoder.h"
#include "nets/encoders.h"

namespace varstyle {

class WaeModel : public StyleModel {
 public:
  explicit WaeModel(const Config& config);

  std::string kind() const override { return "wae"; }
  LossTerms training_step(const StepInput& input) override;
  bool has_style_code() const override { return true; }
  int64_t code_size() const override { return latent_dim_ + spectrum_->dim(); }
  int64_t measured_code_dims() const override { return spectrum_->dim(); }
  at::Tensor encode_style(const at::Tensor& style) override;
  // alpha blends the given code with the content image's own style code.
  at::Tensor decode(const at::Tensor& content, const at::Tensor& code, double alpha = 1.0) override;
  // The content map's mean and the content's own code: all a decode needs of the content.
  PreparedContent prepare_content(const at::Tensor& content) override;
  at::Tensor decode_prepared(const PreparedContent& content, const at::Tensor& code, double alpha = 1.0) override;

 private:
  int64_t latent_dim_;  // model.latent_dim
  struct Encoded {
    GaussianCode content;   // maps [B, content_dim, h, w]
    GaussianCode style;     // [B, latent_dim + the spectrum part's dimensions]
    at::Tensor spectrum;    // the images' spectrum summaries; none without the spectrum part
  };
  Encoded encode(const at::Tensor& images);
  // The decoder's input: the content latent back in the encoder's space, under the code's first
  // modulation (the later ones act inside the decoder).
  at::Tensor decoder_input(const at::Tensor& content_latent, const std::vector<Modulation>& modulations);
  // noise_keys: the decoder's noise (training); empty: its fixed inference key. The coarse map
  // is drawn with the spectrum the code predicts (with model.decoder_coarse_spectrum: style).
  at::Tensor generate(const at::Tensor& content_latent, const at::Tensor& style_code,
                      const std::vector<uint64_t>& noise_keys = {}, NoiseInputs noise = NoiseInputs::kOn);

  // The decoder's image under the code's colour transform (model.code_colour); else unchanged.
  at::Tensor coloured(const at::Tensor& image, const at::Tensor& style_code);

  LossConfig loss_;
  std::string depth_;  // model.encoder_depth
  EncoderMoments moments_;  // model.style_encoder_moments: what E_s reads besides relu3_1
  Networks networks_;
  torch::nn::Conv2d content_head_{nullptr};   // relu4_1 -> mu and log sigma^2 of the content map
  torch::nn::Conv2d from_content_{nullptr};   // content latent -> relu4_1 space
  std::shared_ptr<StyleEncoder> style_encoder_;
  std::shared_ptr<StyleToAdain> to_adain_;
  std::unique_ptr<CodeSpectrum> spectrum_;  // the code's spectrum part (model.decoder_coarse_spectrum)
  std::shared_ptr<Decoder> decoder_;
  std::shared_ptr<CodeColour> code_colour_;  // null unless model.code_colour
  std::unique_ptr<PerceptualCriterion> criterion_;
};

}  // namespace varstyle
