// Decoder mirroring VGG19 to relu4_1, with optional AdaIN modulation at later stages.
#include "nets/decoder.h"

#include <torch/nn/init.h>


#include <fmt/format.h>

#include "core/hash.h"
#include "nets/adain.h"
#include "nets/keyed_normal.h"
#include "nets/padding.h"
#include "nets/spectral_noise.h"
#include "nets/vgg19.h"

namespace varstyle {

at::Tensor modulate(const at::Tensor& x, const Modulation& modulation) {
  const at::Tensor modulated = adain_with(x, modulation.scale, modulation.bias);
  if (modulation.alpha == 1.0) return modulated;
  return modulation.alpha * modulated + (1.0 - modulation.alpha) * x;
}

int encoder_depth(const std::string& tap) {
  if (tap == "relu2_1") return 2;
  if (tap == "relu3_1") return 3;
  if (tap == "relu4_1") return 4;
  throw std::invalid_argument("the encoder depth is relu2_1, relu3_1 or relu4_1, not " + tap);
}

namespace {
// The key every row's noise comes from when the caller gives none (inference).
constexpr uint64_t kInferenceNoiseKey = 0x6E6F697365ULL;
// What the coarse map's keys are mixed with, in place of a level index (levels are 0 to 3).
constexpr uint64_t kCoarseNoiseSalt = 0x636F61727365ULL;

// One key per row of x, from the caller's keys (or the inference key) and `salt`.
std::vector<uint64_t> row_keys(const at::Tensor& x, const std::vector<uint64_t>& noise_keys, uint64_t salt) {
  const int64_t batch = x.size(0);
  TORCH_CHECK(noise_keys.empty() || static_cast<int64_t>(noise_keys.size()) == batch,
              "the decoder's noise needs one key per row: ", noise_keys.size(), " keys for ", batch, " rows");
  std::vector<uint64_t> keys;
  keys.reserve(static_cast<size_t>(batch));
  for (int64_t row = 0; row < batch; ++row)
    keys.push_back(mix_keys(noise_keys.empty() ? kInferenceNoiseKey : noise_keys[static_cast<size_t>(row)], salt));
  return keys;
}

// Each channel's spread over its image, [B, C, 1, 1]. Noise relative to it is the same share of
// the signal whatever the scale of a model's features (linear's transformed features are far
// smaller than AdaIN's), and after AdaIN that spread is the style's, so a busier style gets
// stronger noise.
at::Tensor channel_spread(const at::Tensor& x) {
  return x.detach().flatten(2).std(2, /*unbiased=*/false).unsqueeze(-1).unsqueeze(-1);
}
}  // namespace

Decoder::Decoder(double width, Padding padding, int depth, NoiseOptions noise) : padding_(padding) {
  TORCH_CHECK(depth >= 2 && depth <= 4, "the decoder starts at relu2_1, relu3_1 or relu4_1");
  const auto layers = Vgg19::full_layers(width);
  const int64_t c1 = layers[0].out_channels, c2 = layers[2].out_channels;
  const int64_t c3 = layers[4].out_channels, c4 = layers[8].out_channels;
  const std::vector<int64_t> by_level = {3, c1, c2, c3, c4};  // channels of relu<level>_1
  // Each level mirrors the encoder's convolutions at that resolution, in reverse, and ends by
  // upsampling; the last level writes the image. Names follow the encoder's (dec3_1 undoes conv3_1).
  using Plan = std::vector<std::tuple<std::string, int64_t, int64_t>>;
  std::vector<Plan> plan;
  if (depth >= 4) plan.push_back({{"dec4_1", c4, c3}});
  if (depth >= 3) {
    Plan level;
    if (depth >= 4) level = {{"dec3_4", c3, c3}, {"dec3_3", c3, c3}, {"dec3_2", c3, c3}};
    level.emplace_back("dec3_1", c3, c2);
    plan.push_back(level);
  }
  plan.push_back(depth >= 3 ? Plan{{"dec2_2", c2, c2}, {"dec2_1", c2, c1}} : Plan{{"dec2_1", c2, c1}});
  plan.push_back({{"dec1_2", c1, c1}, {"dec1_1", c1, 3}});
  for (const auto& level : plan) {
    levels_.emplace_back();
    for (const auto& [name, in, out] : level) {
      auto conv = torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, /*kernel_size=*/3));
      // He initialisation keeps the signal alive through the layers; PyTorch's default shrinks
      // its variance about 6x per layer, leaving an output that barely depends on the input
      // features unless they are as large as pretrained VGG's.
      torch::nn::init::kaiming_normal_(conv->weight, /*a=*/0.0, torch::kFanIn, torch::kReLU);
      torch::nn::init::zeros_(conv->bias);
      levels_.back().push_back(convs_.size());
      convs_.push_back(register_module(name, conv));
    }
  }
  if (noise.strength > 0) {
    // Named by the VGG level of the resolution they enter (noise2: the relu2_1 input, ...).
    for (size_t level = 0; level < levels_.size(); ++level) {
      const int64_t channels = convs_[levels_[level].front()]->options.in_channels();
      const std::string name = "noise" + std::to_string(depth - static_cast<int>(level));
      noise_strengths_.push_back(register_parameter(name, torch::full({channels}, noise.strength)));
    }
  }
  if (noise.coarse > 0) {
    TORCH_CHECK(noise.coarse_factor >= 2, "the coarse noise is drawn at 1/2 of the input's resolution or coarser");
    coarse_factor_ = noise.coarse_factor;
    const int64_t channels = convs_[levels_.front().front()]->options.in_channels();
    coarse_strength_ = register_parameter("noise_coarse", torch::full({channels}, noise.coarse));
  }
  input_channels_ = by_level[depth];
  input_scale_ = static_cast<double>(int64_t{1} << (depth - 1));
  for (int level = depth - 1; level >= 1; --level) stage_channels_.push_back(by_level[level]);
  stage_channels_.resize(std::min<size_t>(stage_channels_.size(), 2));
}

at::Tensor coarse_noise(const std::vector<uint64_t>& keys, int64_t height, int64_t width, int64_t factor,
                        const at::TensorOptions& options) {
  TORCH_CHECK(factor >= 1, "the coarse noise's factor must be positive, not ", factor);
  const int64_t h = (height + factor - 1) / factor, w = (width + factor - 1) / factor;
  const at::Tensor coarse = keyed_normal(keys, {1, h, w}, options);
  // Bilinear, not nearest: nearest would draw the coarse grid's square edges into the image.
  return at::upsample_bilinear2d(coarse, {h * factor, w * factor}, /*align_corners=*/false)
      .narrow(2, 0, height)
      .narrow(3, 0, width);
}

at::Tensor Decoder::conv(size_t index, const at::Tensor& x, bool relu) {
  at::Tensor y = convs_[index]->forward(pad_one(x, padding_));
  return relu ? at::relu(y) : y;
}

at::Tensor Decoder::add_noise(size_t level, const at::Tensor& x, const std::vector<uint64_t>& noise_keys) {
  const at::Tensor noise = keyed_normal(row_keys(x, noise_keys, level), {1, x.size(2), x.size(3)}, x.options());
  return x + noise_strengths_[level].view({1, -1, 1, 1}).to(x.dtype()) * channel_spread(x) * noise;
}

at::Tensor Decoder::add_coarse_noise(const at::Tensor& x, const std::vector<uint64_t>& noise_keys,
                                     const at::Tensor& spectrum) {
  const std::vector<uint64_t> keys = row_keys(x, noise_keys, kCoarseNoiseSalt);
  const at::Tensor noise =
      spectrum.defined()
          ? spectral_noise(keys, x.size(2), x.size(3), input_scale_, spectrum.expand({x.size(0), -1})).to(x.dtype())
          : coarse_noise(keys, x.size(2), x.size(3), coarse_factor_, x.options());
  return x + coarse_strength_.view({1, -1, 1, 1}).to(x.dtype()) * channel_spread(x) * noise;
}

at::Tensor Decoder::forward(const at::Tensor& features, const std::vector<Modulation>& stages,
                            const std::vector<uint64_t>& noise_keys, NoiseInputs noise,
                            const at::Tensor& coarse_spectrum) {
  TORCH_CHECK(features.dim() == 4 && features.size(1) == input_channels_, "decoder expects [B, ",
              input_channels_, ", h, w], got ", features.sizes());
  TORCH_CHECK(stages.size() <= stage_channels_.size(), "the decoder has ", stage_channels_.size(), " modulated stages");
  const bool with_noise = !noise_strengths_.empty() && noise == NoiseInputs::kOn;
  at::Tensor x = features;
  // The coarse map first, so that the per-pixel noise's spread is taken over it as well.
  TORCH_CHECK(!coarse_spectrum.defined() || coarse_strength_.defined(),
              "a spectrum for the coarse noise map, but the decoder has none (model.decoder_coarse_noise is 0)");
  if (coarse_strength_.defined() && noise == NoiseInputs::kOn) x = add_coarse_noise(x, noise_keys, coarse_spectrum);
  if (with_noise) x = add_noise(0, x, noise_keys);
  for (size_t level = 0; level < levels_.size(); ++level) {
    const bool last = level + 1 == levels_.size();
    for (size_t i = 0; i < levels_[level].size(); ++i)
      x = conv(levels_[level][i], x, /*relu=*/!(last && i + 1 == levels_[level].size()));
    if (last) break;
    x = at::upsample_nearest2d(x, {x.size(2) * 2, x.size(3) * 2});
    // Noise before the stage's modulation (Karras et al.'s order): the style's scales then set
    // how strongly each channel's noise-fed pattern shows, so the texture follows the style.
    if (with_noise) x = add_noise(level + 1, x, noise_keys);
    if (level < stages.size()) x = modulate(x, stages[level]);
  }
  return x;
}

}  // namespace varstyle
