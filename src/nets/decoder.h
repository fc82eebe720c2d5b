// The decoder that inverts VGG19's relu4_1 (Huang & Belongie's design): convolutions mirroring
// the encoder, reflection (or zero) padding, nearest x2 upsampling, no normalisation. Optional
// AdaIN modulations at the two later stages (relu3_1 and relu2_1 resolutions) for vst.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>

#include <vector>

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

class Decoder : public torch::nn::Module {
 public:
  Decoder(double width, std::string padding);

  // features: [B, C4, h, w] (relu4_1 space) -> images [B, 3, 8h, 8w]. `stages` modulate the
  // inputs of the relu3_1 stage and then the relu2_1 stage (0, 1 or 2 entries).
  at::Tensor forward(const at::Tensor& features, const std::vector<Modulation>& stages = {});

  // Channels of the relu4_1 input and of the two modulated stages.
  int64_t input_channels() const { return channels_[0]; }
  std::vector<int64_t> stage_channels() const { return {channels_[1], channels_[2]}; }

 private:
  at::Tensor conv(size_t index, const at::Tensor& x, bool relu = true);

  std::string padding_;
  std::vector<int64_t> channels_;  // C4, C3, C2, C1
  std::vector<torch::nn::Conv2d> convs_;
};

}  // namespace varstyle
