// The decoder's noise inputs: absent unless asked for, keyed (the same key gives the same draw,
// another key another), independent of a row's place in the batch when no key is given, entering
// only through the trained strengths, and trained by every model kind's step.
#include <gtest/gtest.h>
#include <torch/csrc/autograd/grad_mode.h>

#include "models/style_model.h"
#include "nets/decoder.h"
#include "nets/keyed_normal.h"

namespace varstyle {
namespace {

constexpr double kWidth = 0.0625;  // relu2_1 has 8 channels

at::Tensor features(int64_t batch) {
  at::manual_seed(7);
  return at::rand({batch, 8, 8, 8});
}

TEST(DecoderNoise, NoneByDefault) {
  Decoder decoder(kWidth, Padding::kReflect, 2);
  EXPECT_FALSE(decoder.has_noise());
  for (const auto& item : decoder.named_parameters()) EXPECT_EQ(item.key().find("noise"), std::string::npos) << item.key();
  torch::NoGradGuard no_grad;
  const at::Tensor x = features(2);
  EXPECT_TRUE(at::equal(decoder.forward(x, {}, {1, 2}), decoder.forward(x, {}, {3, 4})));
}

TEST(DecoderNoise, OneStrengthPerChannelAndLevel) {
  Decoder decoder(kWidth, Padding::kReflect, 2, 0.25);
  ASSERT_TRUE(decoder.has_noise());
  const auto parameters = decoder.named_parameters();
  ASSERT_TRUE(parameters.contains("noise2"));
  ASSERT_TRUE(parameters.contains("noise1"));
  EXPECT_EQ(parameters["noise2"].sizes(), (std::vector<int64_t>{8}));  // the relu2_1 input
  EXPECT_EQ(parameters["noise1"].sizes(), (std::vector<int64_t>{4}));  // after dec2_1, at relu1_1 width
  EXPECT_TRUE(at::allclose(parameters["noise2"], at::full({8}, 0.25)));
  EXPECT_FALSE(parameters.contains("noise_coarse"));
}

// Correlation of horizontally neighbouring values of a [B, 1, H, W] map.
double neighbour_correlation(const at::Tensor& map) {
  const at::Tensor a = map.narrow(3, 0, map.size(3) - 1).flatten(), b = map.narrow(3, 1, map.size(3) - 1).flatten();
  const at::Tensor ac = a - a.mean(), bc = b - b.mean();
  return ((ac * bc).sum() / (ac.norm() * bc.norm())).item<double>();
}

TEST(CoarseNoise, FactorOneIsThePerPixelDraw) {
  const at::Tensor map = coarse_noise({5, 6}, 12, 10, 1, at::kDouble);
  EXPECT_TRUE(at::allclose(map, keyed_normal({5, 6}, {1, 12, 10}, at::kDouble), 1e-12, 1e-12));
}

TEST(CoarseNoise, KeyedSmoothAndOfTheAskedSize) {
  const at::Tensor map = coarse_noise({5, 6}, 61, 62, 4, at::kDouble);
  ASSERT_EQ(map.sizes(), (std::vector<int64_t>{2, 1, 61, 62}));
  EXPECT_TRUE(at::equal(map, coarse_noise({5, 6}, 61, 62, 4, at::kDouble)));
  EXPECT_TRUE(at::equal(map[1], coarse_noise({6}, 61, 62, 4, at::kDouble)[0]));
  EXPECT_GT((map[0] - map[1]).abs().max().item<double>(), 0.1);
  // Per-pixel draws are uncorrelated; 4x upsampled ones share most of their value with a neighbour.
  EXPECT_LT(std::abs(neighbour_correlation(keyed_normal({5, 6}, {1, 61, 62}, at::kDouble))), 0.1);
  EXPECT_GT(neighbour_correlation(map), 0.85);
  const double spread = map.std().item<double>();
  EXPECT_GT(spread, 0.4);
  EXPECT_LT(spread, 1.1);
}

TEST(DecoderNoise, CoarseMapAloneIsKeyedAndTrained) {
  Decoder decoder(kWidth, Padding::kReflect, 2, NoiseOptions(0.0, 0.5, 4));
  ASSERT_TRUE(decoder.has_noise());
  const auto parameters = decoder.named_parameters();
  ASSERT_TRUE(parameters.contains("noise_coarse"));
  EXPECT_FALSE(parameters.contains("noise2"));
  EXPECT_TRUE(at::allclose(parameters["noise_coarse"], at::full({8}, 0.5)));  // the relu2_1 input
  const at::Tensor x = features(2);
  const at::Tensor a = decoder.forward(x, {}, {1, 2});
  a.pow(2).mean().backward();
  EXPECT_GT(parameters["noise_coarse"].grad().abs().sum().item<double>(), 0.0);
  torch::NoGradGuard no_grad;
  EXPECT_GT((a - decoder.forward(x, {}, {1, 3})).abs().max().item<double>(), 1e-3);
  EXPECT_TRUE(at::equal(decoder.forward(x, {}, {1, 2}, NoiseInputs::kOff), decoder.forward(x, {}, {3, 4}, NoiseInputs::kOff)));
  parameters["noise_coarse"].zero_();
  EXPECT_TRUE(at::equal(decoder.forward(x, {}, {1, 2}), decoder.forward(x, {}, {5, 6})));
}

TEST(DecoderNoise, KeyedDraws) {
  Decoder decoder(kWidth, Padding::kReflect, 2, 0.5);
  torch::NoGradGuard no_grad;
  const at::Tensor x = features(2);
  const at::Tensor a = decoder.forward(x, {}, {11, 12});
  EXPECT_TRUE(at::equal(a, decoder.forward(x, {}, {11, 12})));
  const at::Tensor b = decoder.forward(x, {}, {11, 13});
  EXPECT_TRUE(at::equal(a[0], b[0]));
  EXPECT_GT((a[1] - b[1]).abs().max().item<double>(), 1e-3);
  EXPECT_THROW(decoder.forward(x, {}, {11}), c10::Error);
}

TEST(DecoderNoise, WithoutKeysARowDoesNotDependOnItsBatch) {
  Decoder decoder(kWidth, Padding::kReflect, 2, 0.5);
  torch::NoGradGuard no_grad;
  const at::Tensor x = features(3);
  const at::Tensor batch = decoder.forward(x);
  for (int64_t row = 0; row < 3; ++row)
    EXPECT_TRUE(at::allclose(batch[row], decoder.forward(x.narrow(0, row, 1))[0], 1e-5, 1e-6)) << row;
}

TEST(DecoderNoise, EntersOnlyThroughTheStrengths) {
  Decoder decoder(kWidth, Padding::kReflect, 2, 0.5);
  const at::Tensor x = features(2);
  at::Tensor output = decoder.forward(x, {}, {1, 2});
  output.pow(2).mean().backward();
  for (const char* name : {"noise2", "noise1"}) {
    const at::Tensor grad = decoder.named_parameters()[name].grad();
    ASSERT_TRUE(grad.defined()) << name;
    EXPECT_GT(grad.abs().sum().item<double>(), 0.0) << name;
  }
  torch::NoGradGuard no_grad;
  for (auto& item : decoder.named_parameters())
    if (item.key().rfind("noise", 0) == 0) item.value().zero_();
  EXPECT_TRUE(at::equal(decoder.forward(x, {}, {1, 2}), decoder.forward(x, {}, {5, 6})));
}

class EveryKindWithNoise : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryKindWithNoise, TrainsTheStrengthsAndDrawsFromTheSampleKeys) {
  Config config;
  config.model.kind = GetParam();
  config.model.width = kWidth;
  config.model.encoder_depth = "relu2_1";
  config.model.latent_dim = 4;
  config.model.content_dim = 4;
  config.model.linear_dim = 4;
  config.model.decoder_noise = 0.2;
  config.model.decoder_coarse_noise = 0.2;
  config.loss.content_layers = {"relu2_1"};
  config.loss.style_layers = {"relu1_1", "relu2_1"};
  if (GetParam() == "linear" || GetParam() == "wae") config.loss.content_target = ContentTarget::kContent;
  auto model = make_model(config);
  model->train();
  at::manual_seed(3);
  const at::Tensor content = at::rand({2, 3, 16, 16}), style = at::rand({2, 3, 16, 16});
  const double first = model->training_step({content, style, {21, 22}, 0}).total().item<double>();
  EXPECT_EQ(first, model->training_step({content, style, {21, 22}, 0}).total().item<double>());
  EXPECT_NE(first, model->training_step({content, style, {21, 23}, 0}).total().item<double>());
  model->training_step({content, style, {21, 22}, 0}).total().backward();
  int strengths = 0;
  for (const auto& item : model->named_parameters()) {
    if (item.key().find("decoder.noise") == std::string::npos) continue;
    ++strengths;
    ASSERT_TRUE(item.value().grad().defined()) << item.key();
    EXPECT_GT(item.value().grad().abs().sum().item<double>(), 0.0) << item.key();
  }
  EXPECT_EQ(strengths, 3);  // two per-pixel levels and the coarse map
}

TEST(DecoderNoise, OffOnRequest) {
  Decoder decoder(kWidth, Padding::kReflect, 2, 0.25);
  torch::NoGradGuard no_grad;
  const at::Tensor x = features(2);
  EXPECT_FALSE(at::equal(decoder.forward(x, {}, {1, 2}), decoder.forward(x, {}, {1, 2}, NoiseInputs::kOff)));
  EXPECT_TRUE(at::equal(decoder.forward(x, {}, {1, 2}, NoiseInputs::kOff), decoder.forward(x, {}, {3, 4}, NoiseInputs::kOff)));
}

TEST(DecoderNoise, WaeReconstructsWithoutNoise) {
  // Rebuilding the content's pixels gives the noise strengths no gradient: with noise, that term
  // only taught the decoder to silence it.
  Config config;
  config.model.kind = "wae";
  config.model.width = kWidth;
  config.model.encoder_depth = "relu2_1";
  config.model.latent_dim = 4;
  config.model.content_dim = 4;
  config.model.decoder_noise = 0.2;
  config.model.decoder_coarse_noise = 0.2;
  config.loss.content_target = ContentTarget::kContent;
  config.loss.content_layers = {"relu2_1"};
  config.loss.style_layers = {"relu1_1", "relu2_1"};
  config.loss.reconstruction = 1.0;
  auto model = make_model(config);
  model->train();
  at::manual_seed(3);
  const at::Tensor content = at::rand({2, 3, 16, 16}), style = at::rand({2, 3, 16, 16});
  const LossTerms terms = model->training_step({content, style, {21, 22}, 0});
  at::Tensor reconstruction;
  for (const auto& [name, value] : terms.terms())
    if (name == "reconstruction") reconstruction = value;
  ASSERT_TRUE(reconstruction.defined());
  reconstruction.backward();
  int strengths = 0;
  for (const auto& item : model->named_parameters()) {
    if (item.key().find("decoder.noise") == std::string::npos) continue;
    ++strengths;
    const at::Tensor grad = item.value().grad();
    EXPECT_TRUE(!grad.defined() || grad.abs().sum().item<double>() == 0.0) << item.key();
  }
  EXPECT_EQ(strengths, 3);
}

INSTANTIATE_TEST_SUITE_P(Models, EveryKindWithNoise, ::testing::Values("vst", "wae", "adain", "linear"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace varstyle
