// The part of a style code that carries the style's power spectrum (vst and wae with
// model.decoder_coarse_spectrum: style). A code decoded without a style image (a sample from the
// prior, an interpolation) has no image to measure a spectrum on, so the code must carry one:
// model.spectrum_dim dimensions, encoded from the style's spectrum summary alone (so that they
// and the code's part for the modulations do not compete), after the code's other dimensions.
// From them the decoder's coarse noise map is drawn. Only loss.spectrum trains the decoder of
// the summary; the code's regularisers (KL, wae's MMD) reach its encoder as well.
#pragma once

#include <torch/nn/module.h>

#include <memory>

#include "core/config.h"
#include "nets/encoders.h"

namespace varstyle {

class CodeSpectrum {
 public:
  // Registers "spectrum_encoder" and "to_spectrum" on `owner` when the setting is on; throws
  // ConfigError when it is on without a coarse map or without loss.spectrum to train it.
  CodeSpectrum(torch::nn::Module& owner, const ModelConfig& model, const LossConfig& loss);

  bool on() const { return on_; }
  int64_t dim() const { return on_ ? dim_ : 0; }
  // The images' spectrum summaries (a fixed function of the data, without gradient); none when off.
  at::Tensor summary(const at::Tensor& images) const;
  // `code` followed by the summary's code; `code` unchanged when off.
  GaussianCode append(const GaussianCode& code, const at::Tensor& summary);
  // A full code's part for the modulations, and the spectrum its last dim() dimensions predict
  // (none when off).
  at::Tensor modulation_part(const at::Tensor& code) const;
  at::Tensor predicted(const at::Tensor& code);
  // loss.spectrum's weight when on, else 0: a sweep that turns the map off on a config that
  // trains it (loss.spectrum > 0) has no spectrum to compare, and the term must not run.
  double term_weight(double spectrum_weight) const { return on_ ? spectrum_weight : 0.0; }

 private:
  bool on_;
  int64_t dim_;
  std::shared_ptr<SummaryEncoder> encoder_;
  std::shared_ptr<SummaryDecoder> decoder_;
};

}  // namespace varstyle
