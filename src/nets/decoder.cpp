// Decoder mirroring VGG19 to relu4_1, with optional AdaIN modulation at later stages.
#include "nets/decoder.h"

#include <torch/nn/init.h>


#include <fmt/format.h>

#include "nets/adain.h"
#include "nets/padding.h"
#include "nets/vgg19.h"

namespace varstyle {

at::Tensor modulate(const at::Tensor& x, const Modulation& modulation) {
  const at::Tensor modulated = adain_with(x, modulation.scale, modulation.bias);
  if (modulation.alpha == 1.0) return modulated;
  return modulation.alpha * modulated + (1.0 - modulation.alpha) * x;
}

Decoder::Decoder(double width, std::string padding) : padding_(std::move(padding)) {
  const auto layers = Vgg19::full_layers(width);
  const int64_t c1 = layers[0].out_channels, c2 = layers[2].out_channels;
  const int64_t c3 = layers[4].out_channels, c4 = layers[8].out_channels;
  channels_ = {c4, c3, c2, c1};
  const std::vector<std::tuple<const char*, int64_t, int64_t>> plan = {
      {"dec4_1", c4, c3}, {"dec3_4", c3, c3}, {"dec3_3", c3, c3}, {"dec3_2", c3, c3},
      {"dec3_1", c3, c2}, {"dec2_2", c2, c2}, {"dec2_1", c2, c1}, {"dec1_2", c1, c1},
      {"dec1_1", c1, 3}};
  for (const auto& [name, in, out] : plan) {
    auto conv = torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, /*kernel_size=*/3));
    // He initialisation keeps the signal alive through nine layers; PyTorch's default shrinks its
    // variance about 6x per layer, leaving an output that barely depends on the input features
    // unless they are as large as pretrained VGG's.
    torch::nn::init::kaiming_normal_(conv->weight, /*a=*/0.0, torch::kFanIn, torch::kReLU);
    torch::nn::init::zeros_(conv->bias);
    convs_.push_back(register_module(name, conv));
  }
}

at::Tensor Decoder::conv(size_t index, const at::Tensor& x, bool relu) {
  at::Tensor y = convs_[index]->forward(pad_one(x, padding_));
  return relu ? at::relu(y) : y;
}

at::Tensor Decoder::forward(const at::Tensor& features, const std::vector<Modulation>& stages) {
  TORCH_CHECK(features.dim() == 4 && features.size(1) == channels_[0], "decoder expects [B, ",
              channels_[0], ", h, w], got ", features.sizes());
  TORCH_CHECK(stages.size() <= 2, "the decoder has two modulated stages");
  auto upsample = [](const at::Tensor& x) { return at::upsample_nearest2d(x, {x.size(2) * 2, x.size(3) * 2}); };
  at::Tensor x = upsample(conv(0, features));
  if (!stages.empty()) x = modulate(x, stages[0]);
  x = conv(4, conv(3, conv(2, conv(1, x))));
  x = upsample(x);
  if (stages.size() > 1) x = modulate(x, stages[1]);
  x = upsample(conv(6, conv(5, x)));
  return conv(8, conv(7, x), /*relu=*/false);
}

}  // namespace varstyle
