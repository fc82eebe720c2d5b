// Spectrum summaries and noise drawn to them: a stripe's power lands in its period's and
// orientation's bin, the summary ignores offset and contrast, a flat summary draws white noise,
// a stripe's summary draws stripes of the same period and orientation at another scale, and the
// draw is keyed and differentiable. Also the decoder's use of it, vst's code part for it, and
// adain's and linear's spectra measured on their styles' features.
#include <gtest/gtest.h>
#include <torch/csrc/autograd/grad_mode.h>

#include <cmath>

#include "core/error.h"
#include "grad_check.h"
#include "models/style_model.h"
#include "nets/decoder.h"
#include "nets/keyed_normal.h"
#include "nets/spectral_noise.h"

namespace varstyle {
namespace {

constexpr double kPi = 3.14159265358979323846;

// [1, 1, size, size]: a sine of `period` pixels varying along `angle` (0: along x).
at::Tensor stripes(int64_t size, double period, double angle) {
  const at::Tensor y = at::arange(size, at::kDouble).view({-1, 1}), x = at::arange(size, at::kDouble).view({1, -1});
  return at::sin(2 * kPi / period * (x * std::cos(angle) + y * std::sin(angle))).view({1, 1, size, size});
}

int64_t strongest_bin(const at::Tensor& summary) { return summary.argmax(1).item<int64_t>(); }
int64_t bin(int64_t period_index, int64_t angle_index) { return period_index * kSpectrumAngles + angle_index; }

TEST(SpectrumSummary, AStripeLandsInItsPeriodAndOrientation) {
  ASSERT_EQ(kSpectrumBins, 48);
  // Periods 2, 4, 8, 16, 32, 64 are bins 0..5; angles 0, 22.5, ... 157.5 degrees are 0..7.
  EXPECT_EQ(strongest_bin(spectrum_summary(stripes(64, 8, 0))), bin(2, 0));
  EXPECT_EQ(strongest_bin(spectrum_summary(stripes(64, 8, kPi / 2))), bin(2, 4));
  EXPECT_EQ(strongest_bin(spectrum_summary(stripes(64, 16, kPi / 4))), bin(3, 2));
  EXPECT_EQ(strongest_bin(spectrum_summary(stripes(64, 4, 3 * kPi / 4))), bin(1, 6));
  // At 2 image pixels per pixel, a 4-pixel stripe is an 8-pixel one.
  EXPECT_EQ(strongest_bin(spectrum_summary(stripes(32, 4, 0), 2.0)), bin(2, 0));
}

TEST(SpectrumSummary, IgnoresOffsetAndContrast) {
  at::manual_seed(5);
  const at::Tensor x = at::rand({2, 3, 32, 32}, at::kDouble);
  EXPECT_TRUE(at::allclose(spectrum_summary(x), spectrum_summary(3.0 * x + 0.25), 1e-9, 1e-9));
  EXPECT_EQ(spectrum_summary(x).sizes(), (std::vector<int64_t>{2, kSpectrumBins}));
  EXPECT_EQ(spectrum_summary(x.to(at::kFloat)).scalar_type(), at::kFloat);
}

TEST(SpectralNoise, AFlatSummaryDrawsWhiteNoise) {
  // Every amplitude 1 except the mean's: the keyed draw, centred and scaled to unit spread.
  const at::Tensor map = spectral_noise({3, 4}, 12, 10, 2.0, at::zeros({2, kSpectrumBins}, at::kDouble));
  const at::Tensor white = keyed_normal({3, 4}, {1, 12, 10}, at::kDouble);
  const at::Tensor centred = white - white.mean({2, 3}, true);
  EXPECT_TRUE(at::allclose(map, centred / centred.std({2, 3}, false, true), 1e-9, 1e-9));
}

TEST(SpectralNoise, KeyedCentredAndOfUnitSpread) {
  const at::Tensor summary = spectrum_summary(stripes(32, 8, 0.3)).expand({2, -1});
  const at::Tensor map = spectral_noise({7, 8}, 20, 24, 1.0, summary);
  ASSERT_EQ(map.sizes(), (std::vector<int64_t>{2, 1, 20, 24}));
  EXPECT_TRUE(at::equal(map, spectral_noise({7, 8}, 20, 24, 1.0, summary)));
  EXPECT_TRUE(at::allclose(map[1], spectral_noise({8}, 20, 24, 1.0, summary.narrow(0, 1, 1))[0]));
  EXPECT_GT((map[0] - map[1]).abs().max().item<double>(), 0.1);
  EXPECT_NEAR(map.mean().item<double>(), 0.0, 1e-5);
  EXPECT_NEAR(map[0].std(false).item<double>(), 1.0, 1e-4);
}

TEST(SpectralNoise, DrawsTheSummarisedPatternAtAnyScale) {
  // A 16-pixel stripe at 45 degrees summarised from a 64-pixel image; drawn on a 32-pixel grid
  // at 2 image pixels per pixel, the noise's own summary there has the same strongest bin.
  const at::Tensor summary = spectrum_summary(stripes(64, 16, kPi / 4));
  const at::Tensor map = spectral_noise({9}, 32, 32, 2.0, summary);
  EXPECT_EQ(strongest_bin(spectrum_summary(map, 2.0)), bin(3, 2));
  // Bands, not grain: neighbours along the stripes agree far more than white noise's do.
  const at::Tensor along = map.narrow(2, 1, 31).narrow(3, 0, 31), base = map.narrow(2, 0, 31).narrow(3, 1, 31);
  EXPECT_GT(at::corrcoef(at::stack({along.flatten(), base.flatten()}))[0][1].item<double>(), 0.8);
}

TEST(SpectralNoise, DifferentiableInTheSummary) {
  const at::Tensor point = spectrum_summary(stripes(8, 4, 0.5));
  const at::Tensor weights = at::linspace(-1, 1, 64, at::kDouble).view({1, 1, 8, 8});
  testing::expect_gradient_matches(
      [&](const at::Tensor& summary) { return (spectral_noise({2}, 8, 8, 1.0, summary) * weights).sum(); }, point, 1e-6,
      1e-5);
}

constexpr double kWidth = 0.0625;  // relu2_1 has 8 channels

TEST(DecoderSpectrum, ShapesTheCoarseMapOnly) {
  Decoder plain(kWidth, Padding::kReflect, 2, NoiseOptions(0.0, 0.0));
  Decoder coarse(kWidth, Padding::kReflect, 2, NoiseOptions(0.0, 0.5));
  at::manual_seed(7);
  const at::Tensor x = at::rand({2, 8, 8, 8});
  const at::Tensor flat = at::zeros({2, kSpectrumBins}), striped = spectrum_summary(stripes(16, 4, 0)).expand({2, -1});
  torch::NoGradGuard no_grad;
  EXPECT_THROW(plain.forward(x, {}, {1, 2}, NoiseInputs::kOn, flat), c10::Error);
  EXPECT_GT((coarse.forward(x, {}, {1, 2}, NoiseInputs::kOn, flat) - coarse.forward(x, {}, {1, 2}, NoiseInputs::kOn, striped))
                .abs()
                .max()
                .item<double>(),
            1e-3);
  EXPECT_TRUE(at::equal(coarse.forward(x, {}, {1, 2}, NoiseInputs::kOff, striped), coarse.forward(x, {}, {1, 2}, NoiseInputs::kOff)));
}

Config spectral_vst() {
  Config config;
  config.model.kind = "vst";
  config.model.width = kWidth;
  config.model.encoder_depth = "relu2_1";
  config.model.latent_dim = 4;
  config.model.decoder_coarse_noise = 0.5;
  config.model.decoder_coarse_spectrum = CoarseSpectrum::kStyle;
  config.model.spectrum_dim = 3;
  config.loss.content_layers = {"relu2_1"};
  config.loss.style_layers = {"relu1_1", "relu2_1"};
  config.loss.spectrum = 1.0;
  return config;
}

// The same settings for another kind, as a sweep switching model.kind on a vst config has them.
Config spectral_as(const std::string& kind) {
  Config config = spectral_vst();
  config.model.kind = kind;
  config.model.linear_dim = 4;
  config.model.content_dim = 4;
  config.loss.content_target = ContentTarget::kContent;
  return config;
}

// vst and wae carry the spectrum in their code: a sample from the prior draws with one too.
class CodeSpectrumKind : public ::testing::TestWithParam<std::string> {};

TEST_P(CodeSpectrumKind, TheSpectrumTermTrainsThePredictionAndTheEncoder) {
  auto model = make_model(spectral_as(GetParam()));
  model->train();
  at::manual_seed(3);
  const at::Tensor content = at::rand({2, 3, 16, 16}), style = at::rand({2, 3, 16, 16});
  const LossTerms terms = model->training_step({content, style, {21, 22}, 0});
  at::Tensor spectrum;
  for (const auto& [name, value] : terms.terms())
    if (name == "spectrum") spectrum = value;
  ASSERT_TRUE(spectrum.defined());
  spectrum.backward();
  const auto parameters = model->named_parameters();
  for (const char* name : {"to_spectrum.output.weight", "spectrum_encoder.mean.weight"}) {
    ASSERT_TRUE(parameters[name].grad().defined()) << GetParam() << " " << name;
    EXPECT_GT(parameters[name].grad().abs().sum().item<double>(), 0.0) << GetParam() << " " << name;
  }
  // The decoder draws with the prediction but does not train it, nor does it train the colours' code.
  for (const auto& item : parameters) {
    const std::string& key = item.key();
    if ((key.rfind("decoder.", 0) == 0 || key.rfind("style_encoder.", 0) == 0) && item.value().grad().defined()) {
      EXPECT_EQ(item.value().grad().abs().sum().item<double>(), 0.0) << GetParam() << " " << item.key();
    }
  }
}

// The term's value in `terms`; undefined when it is not there.
at::Tensor term(const LossTerms& terms, const std::string& wanted) {
  for (const auto& [name, value] : terms.terms())
    if (name == wanted) return value;
  return {};
}

// The sum of every term but the spectrum's: what the image losses ask of the output.
at::Tensor image_terms(const LossTerms& terms) {
  at::Tensor sum = at::zeros({});
  for (const auto& [name, value] : terms.terms())
    if (name != "spectrum") sum = sum + value;
  return sum;
}

TEST_P(CodeSpectrumKind, TrainingDrawsWithThePredictionButTheImageTermsDoNotTrainIt) {
  auto model = make_model(spectral_as(GetParam()));
  model->train();
  at::manual_seed(5);
  const at::Tensor content = at::rand({2, 3, 16, 16}), style = at::rand({2, 3, 16, 16});
  const StepInput input{content, style, {31, 32}, 0};
  const LossTerms terms = model->training_step(input);
  const at::Tensor images = image_terms(terms);
  images.backward();
  auto parameters = model->named_parameters();
  for (const auto& item : parameters)
    if (item.key().rfind("to_spectrum.", 0) == 0 && item.value().grad().defined()) {
      EXPECT_EQ(item.value().grad().abs().sum().item<double>(), 0.0) << GetParam() << " " << item.key();
    }
  // Another prediction, the same step: the image terms see another coarse map.
  {
    torch::NoGradGuard no_grad;
    parameters["to_spectrum.output.bias"].add_(2.0);
  }
  EXPECT_GT(std::abs(image_terms(model->training_step(input)).item<double>() - images.item<double>()), 1e-6) << GetParam();
}

TEST_P(CodeSpectrumKind, AFlatMapWithTheTermsWeightTrainsWithoutIt) {
  // As a sweep turning the map off on a config that trains it (loss.spectrum stays 1).
  Config config = spectral_as(GetParam());
  config.model.decoder_coarse_spectrum = CoarseSpectrum::kFlat;
  auto model = make_model(config);
  EXPECT_EQ(model->code_size(), 4);
  EXPECT_EQ(model->measured_code_dims(), 0);
  at::manual_seed(3);
  const LossTerms terms = model->training_step({at::rand({2, 3, 16, 16}), at::rand({2, 3, 16, 16}), {21, 22}, 0});
  EXPECT_FALSE(term(terms, "spectrum").defined()) << GetParam();
  EXPECT_TRUE(terms.total().isfinite().item<bool>()) << GetParam();
}

TEST_P(CodeSpectrumKind, ASampledCodeDrawsWithItsOwnSpectrum) {
  auto model = make_model(spectral_as(GetParam()));
  model->eval();
  torch::NoGradGuard no_grad;
  at::manual_seed(4);
  const at::Tensor content = at::rand({1, 3, 16, 16}), style = at::rand({1, 3, 16, 16});
  // The code: 4 dimensions for the colours (latent_dim), 3 for the spectrum (spectrum_dim).
  const at::Tensor code = model->encode_style(style);
  ASSERT_EQ(code.size(1), 4 + 3);
  EXPECT_EQ(model->measured_code_dims(), 3);  // not counted among the active dimensions
  at::Tensor other = code.clone();
  other.narrow(1, 4, 3).add_(3.0);
  EXPECT_GT((model->decode(content, code) - model->decode(content, other)).abs().max().item<double>(), 1e-4);
  const at::Tensor samples = model->sample(content, 2, 5);
  ASSERT_EQ(samples.sizes(), (std::vector<int64_t>{2, 3, 16, 16}));
  EXPECT_TRUE(samples.isfinite().all().item<bool>());
  EXPECT_TRUE(at::equal(model->stylize(content, style), model->stylize(content, style)));
}

TEST_P(CodeSpectrumKind, RefusesSettingsThatCannotWork) {
  Config config = spectral_as(GetParam());
  config.loss.spectrum = 0;
  EXPECT_THROW(make_model(config), ConfigError);
  config = spectral_as(GetParam());
  config.model.decoder_coarse_noise = 0;
  EXPECT_THROW(make_model(config), ConfigError);
}

INSTANTIATE_TEST_SUITE_P(Kinds, CodeSpectrumKind, ::testing::Values("vst", "wae"));

TEST(MeasuredSpectrum, AdainAndLinearDrawWithTheirStylesSpectrumOnEveryPath) {
  for (const char* kind : {"adain", "linear"}) {
    Config config = spectral_as(kind);
    auto spectral = make_model(config);
    config.model.decoder_coarse_spectrum = CoarseSpectrum::kFlat;
    auto flat = make_model(config);  // the same weights: the same init_seed
    at::manual_seed(6);
    const at::Tensor content = at::rand({1, 3, 16, 16}), style = at::rand({1, 3, 16, 16}), other = at::rand({1, 3, 16, 16});
    // Training draws with it too, and there is no term of its own.
    const LossTerms terms = spectral->training_step({content.expand({2, -1, -1, -1}), style.expand({2, -1, -1, -1}), {1, 2}, 0});
    for (const auto& item : terms.terms()) EXPECT_NE(item.first, "spectrum") << kind;
    torch::NoGradGuard no_grad;
    const at::Tensor stylised = spectral->stylize(content, style);
    EXPECT_GT((stylised - flat->stylize(content, style)).abs().max().item<double>(), 1e-4) << kind;
    EXPECT_GT((stylised - spectral->stylize(content, other)).abs().max().item<double>(), 1e-4) << kind;
    // The explorer's prepared path mixes the measured spectra as it mixes the styles.
    const auto prepared = spectral->prepare_content(content);
    EXPECT_TRUE(at::allclose(spectral->mix_prepared(prepared, {spectral->prepare_style(style)}, {1.0}), stylised, 1e-5, 1e-6))
        << kind;
    EXPECT_TRUE(at::allclose(spectral->interpolate(content, {style, other}, {0.5, 0.5}),
                             spectral->mix_prepared(prepared, {spectral->prepare_style(style), spectral->prepare_style(other)},
                                                    {0.5, 0.5}),
                             1e-5, 1e-6))
        << kind;
  }
}

TEST(MeasuredSpectrum, NoCoarseMapToShapeIsRefused) {
  for (const char* kind : {"adain", "linear"}) {
    Config config = spectral_as(kind);
    config.model.decoder_coarse_noise = 0;
    EXPECT_THROW(make_model(config), ConfigError) << kind;
  }
}

}  // namespace
}  // namespace varstyle
