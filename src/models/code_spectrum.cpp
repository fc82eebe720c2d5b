// CodeSpectrum: the spectrum dimensions of a style code, their encoder and their decoder.
#include "models/code_spectrum.h"

#include <torch/csrc/autograd/grad_mode.h>

#include "core/error.h"
#include "models/networks.h"
#include "nets/spectral_noise.h"

namespace varstyle {

CodeSpectrum::CodeSpectrum(torch::nn::Module& owner, const ModelConfig& model, const LossConfig& loss)
    : on_(model.decoder_coarse_spectrum == CoarseSpectrum::kStyle), dim_(model.spectrum_dim) {
  check_spectrum_setting(model);
  if (!on_) return;
  if (loss.spectrum <= 0)
    throw ConfigError("loss.spectrum: must be > 0 with model.decoder_coarse_spectrum: 'style' (it alone trains the "
                      "code's spectrum prediction)");
  encoder_ = owner.register_module("spectrum_encoder", std::make_shared<SummaryEncoder>(kSpectrumBins, dim_));
  decoder_ = owner.register_module("to_spectrum", std::make_shared<SummaryDecoder>(dim_, kSpectrumBins));
}

at::Tensor CodeSpectrum::summary(const at::Tensor& images) const {
  if (!on_) return {};
  torch::NoGradGuard no_grad;
  return spectrum_summary(images);
}

GaussianCode CodeSpectrum::append(const GaussianCode& code, const at::Tensor& summary) {
  if (!on_) return code;
  const GaussianCode spectrum = encoder_->forward(summary);
  return {at::cat({code.mean, spectrum.mean}, 1), at::cat({code.log_variance, spectrum.log_variance}, 1)};
}

at::Tensor CodeSpectrum::modulation_part(const at::Tensor& code) const {
  return on_ ? code.narrow(1, 0, code.size(1) - dim_) : code;
}

at::Tensor CodeSpectrum::predicted(const at::Tensor& code) {
  if (!on_) return {};
  return decoder_->forward(code.narrow(1, code.size(1) - dim_, dim_));
}

}  // namespace varstyle
