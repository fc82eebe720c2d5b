// The decoder that inverts VGG19's relu4_1 (Huang & Belongie's design), or a shallower tap
// (relu3_1, relu2_1: with random weights they keep far more of the content's layout): convolutions
// mirroring the encoder, reflection (or zero) padding, nearest x2 upsampling, no normalisation.
// Optional AdaIN modulations after the first two upsamplings, for vst. Optional noise inputs
// (Ulyanov et al.'s texture networks, Karras et al.'s per-pixel noise): AdaIN maps a flat content
// region to a flat target, and a decoder fed only that has no source for the style's patterns
// there; per-pixel noise at each resolution, scaled per channel by trained strengths, gives it one.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/config_enums.h"

namespace varstyle {

// Scale and bias ([B, C] each) applied by AdaIN at one stage; `alpha` blends the modulated
// features with the unmodulated ones (1: fully modulated, 0: untouched).
struct Modulation {
  at::Tensor scale;
  at::Tensor bias;
  double alpha = 1.0;
};

// alpha * AdaIN(x; scale, bias) + (1 - alpha) * x.
at::Tensor modulate(const at::Tensor& x, const Modulation& modulation);

// The encoder tap a model works at (model.encoder_depth): relu2_1 -> 2, relu3_1 -> 3, relu4_1 -> 4.
int encoder_depth(const std::string& tap);

// The decoder's noise inputs. `strength`: the initial strength of the per-pixel noise at every
// resolution (model.decoder_noise); 0: none. `coarse`: the initial strength of one more noise map
// at the input, drawn at 1/`coarse_factor` of the input's resolution and bilinearly upsampled
// (model.decoder_coarse_noise); 0: none. A decoder from relu2_1 has three convolutions, so
// per-pixel noise can only become patterns a few pixels across; the coarse map gives it blobs
// as large as the styles' cells and strokes. Not explicit: a plain strength is the common case.
struct NoiseOptions {
  NoiseOptions(double strength_ = 0.0, double coarse_ = 0.0, int64_t coarse_factor_ = 2)
      : strength(strength_), coarse(coarse_), coarse_factor(coarse_factor_) {}
  double strength;
  double coarse;
  int64_t coarse_factor;
};

// [keys.size(), 1, height, width]: one standard normal map per key drawn at 1/factor of the
// resolution (rounded up) and bilinearly upsampled, so neighbouring pixels share most of a value.
at::Tensor coarse_noise(const std::vector<uint64_t>& keys, int64_t height, int64_t width, int64_t factor,
                        const at::TensorOptions& options);

// Whether a decode adds the noise inputs: off for a path that must rebuild given pixels exactly
// (wae's reconstruction), where noise can only be penalised.
enum class NoiseInputs { kOn, kOff };

class Decoder : public torch::nn::Module {
 public:
  // depth: the VGG level the features come from (4: relu4_1, 3: relu3_1, 2: relu2_1).
  // noise: the noise inputs (above); none by default.
  Decoder(double width, Padding padding, int depth = 4, NoiseOptions noise = {});

  // features: [B, C, h, w] in relu<depth>_1 space -> images [B, 3, h 2^(depth-1), ...].
  // `stages` modulate the features after each of the first upsamplings (at most two).
  // `noise_keys`: one per row for the noise inputs (training: a new draw per sample and step).
  // Empty: one fixed key for every row, so that a stylisation does not depend on the batch it
  // is in nor on the run; ignored when the decoder has no noise inputs or `noise` is kOff.
  // `coarse_spectrum`: [B, kSpectrumBins] spectrum summaries (nets/spectral_noise.h); given, the
  // coarse map is noise with that power spectrum instead of upsampled white noise.
  at::Tensor forward(const at::Tensor& features, const std::vector<Modulation>& stages = {},
                     const std::vector<uint64_t>& noise_keys = {}, NoiseInputs noise = NoiseInputs::kOn,
                     const at::Tensor& coarse_spectrum = {});

  bool has_noise() const { return !noise_strengths_.empty() || coarse_strength_.defined(); }

  // Channels of the input and of the modulated stages that follow it.
  int64_t input_channels() const { return input_channels_; }
  const std::vector<int64_t>& stage_channels() const { return stage_channels_; }

 private:
  at::Tensor conv(size_t index, const at::Tensor& x, bool relu = true);
  // x + strength[c] * spread[b, c] * n[b, 0, y, x]: one noise map per row drawn from (its key,
  // the level), scaled by the channel's spread over the image.
  at::Tensor add_noise(size_t level, const at::Tensor& x, const std::vector<uint64_t>& noise_keys);
  // x + coarse[c] * spread[b, c] * m[b, 0, y, x]: the coarse map at the input, m = up(n[b, 0,
  // y / f, x / f]) or, with spectra, noise with row b's spectrum.
  at::Tensor add_coarse_noise(const at::Tensor& x, const std::vector<uint64_t>& noise_keys, const at::Tensor& spectrum);

  Padding padding_;
  int64_t input_channels_ = 0;
  std::vector<int64_t> stage_channels_;
  std::vector<std::vector<size_t>> levels_;  // conv indices per resolution, deepest first
  std::vector<torch::nn::Conv2d> convs_;
  std::vector<at::Tensor> noise_strengths_;  // per level: [channels at that level's input]
  at::Tensor coarse_strength_;               // [input channels], undefined without coarse noise
  int64_t coarse_factor_ = 2;
  double input_scale_ = 1.0;                 // image pixels per pixel of the input
};

}  // namespace varstyle
