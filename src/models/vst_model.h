// The variational style transfer model (Schopohl & Fuchsgruber 2019): content encoder (frozen
// VGG19 to relu4_1, or a trained shallow encoder), variational style encoder E_s -> code z, an
// MLP from z to AdaIN scales and biases (at relu4_1 and optionally later decoder stages), and a
// mirrored decoder. Losses: content, style (Gram / moments / W2), KL, disentanglement, TV.
#pragma once

#include "models/code_spectrum.h"
#include "models/encoder_moments.h"
#include "models/networks.h"
#include "losses/perceptual_criterion.h"
#include "models/style_model.h"
#include "nets/decoder.h"
#include "nets/encoders.h"

namespace varstyle {

class VstModel : public StyleModel {
 public:
  explicit VstModel(const Config& config);

  std::string kind() const override { return "vst"; }
  LossTerms training_step(const StepInput& input) override;
  bool has_style_code() const override { return true; }
  int64_t code_size() const override { return latent_dim_ + spectrum_->dim(); }
  int64_t measured_code_dims() const override { return spectrum_->dim(); }
  at::Tensor encode_style(const at::Tensor& style) override;
  at::Tensor decode(const at::Tensor& content, const at::Tensor& code, double alpha = 1.0) override;
  PreparedContent prepare_content(const at::Tensor& content) override;
  at::Tensor decode_prepared(const PreparedContent& content, const at::Tensor& code, double alpha = 1.0) override;

  // mu and log sigma^2 of the style code of `images`.
  GaussianCode style_code(const at::Tensor& images);

 private:
  at::Tensor content_features(const at::Tensor& images);
  // E_s's code of VGG relu3_1 features (and the moments), followed by the spectrum part when on.
  GaussianCode full_code(const at::Tensor& style_encoded, const at::Tensor& moments, const at::Tensor& spectrum_summary);
  at::Tensor decode_features(const at::Tensor& features, const at::Tensor& code, double alpha);

  LossConfig loss_;
  bool shallow_;
  int64_t latent_dim_;  // model.latent_dim: the code's part for the AdaIN modulations
  std::string depth_;  // model.encoder_depth
  EncoderMoments moments_;  // model.style_encoder_moments
  Networks networks_;
  std::shared_ptr<ShallowEncoder> shallow_encoder_;
  std::shared_ptr<StyleEncoder> style_encoder_;
  std::shared_ptr<StyleToAdain> to_adain_;
  std::unique_ptr<CodeSpectrum> spectrum_;  // the code's spectrum part (model.decoder_coarse_spectrum)
  std::shared_ptr<Decoder> decoder_;
  std::unique_ptr<PerceptualCriterion> criterion_;
};

}  // namespace varstyle
