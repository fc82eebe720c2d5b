// AutocastScope: no autocast call when bf16 is off; on, autocast holds for the scope only, on CUDA
// or the CPU. Under CPU bf16 the networks' convolutions run in bf16 while the feature statistics
// stay fp32 and W2 fp64, a training step with W2 stays finite and near its fp32 loss, and
// autocast_forward gives back fp32 close to the fp32 result. /proc/cpuinfo's flags decide native bf16.
#include <gtest/gtest.h>

#include <cmath>

#include "nets/feature_statistics.h"
#include "losses/style_losses.h"
#include "models/style_model.h"
#include "nets/vgg19.h"
#include "nets/autocast_scope.h"

namespace varstyle {
namespace {

class EveryDevice : public ::testing::TestWithParam<c10::DeviceType> {};

TEST_P(EveryDevice, OffLeavesAutocastAlone) {
  ASSERT_FALSE(autocast_enabled(GetParam()));
  {
    AutocastScope scope(false, GetParam());
    EXPECT_FALSE(autocast_enabled(GetParam()));
  }
  EXPECT_FALSE(autocast_enabled(GetParam()));
}

TEST_P(EveryDevice, OnForTheScopeOnlyAndOnlyOnItsDevice) {
  const c10::DeviceType other = GetParam() == c10::kCPU ? c10::kCUDA : c10::kCPU;
  {
    AutocastScope scope(true, GetParam());
    EXPECT_TRUE(autocast_enabled(GetParam()));
    EXPECT_FALSE(autocast_enabled(other));
  }
  EXPECT_FALSE(autocast_enabled(GetParam()));
}

INSTANTIATE_TEST_SUITE_P(AutocastScope, EveryDevice, ::testing::Values(c10::kCPU, c10::kCUDA),
                         [](const auto& info) { return c10::DeviceTypeName(info.param); });

TEST(AutocastScope, RefusesADeviceWithoutAutocast) {
  EXPECT_THROW(AutocastScope(true, c10::kMeta), std::exception);
  EXPECT_NO_THROW(AutocastScope(false, c10::kMeta));  // off makes no call at all
}

TEST(CpuBf16, ConvolutionsInBf16StatisticsInFp32AndW2InFp64) {
  at::manual_seed(1);
  auto network = std::make_shared<Vgg19>(Vgg19Options{0.0625, Padding::kReflect, "relu2_1"});
  const at::Tensor image = at::rand({2, 3, 16, 16}), style = at::rand({2, 3, 16, 16});
  AutocastScope scope(true, c10::kCPU);
  const auto features = network->features(image, {"relu1_1", "relu2_1"});
  const auto targets = network->features(style, {"relu1_1", "relu2_1"});
  const at::Tensor& relu2_1 = features.at("relu2_1");
  EXPECT_EQ(relu2_1.scalar_type(), at::kBFloat16);
  EXPECT_EQ(features.at("relu1_1").scalar_type(), at::kBFloat16);
  EXPECT_EQ(gram_matrix(relu2_1).scalar_type(), at::kFloat);
  EXPECT_EQ(channel_mean(relu2_1).scalar_type(), at::kFloat);
  EXPECT_EQ(channel_std(relu2_1).scalar_type(), at::kFloat);
  EXPECT_EQ(channel_covariance(relu2_1).scalar_type(), at::kFloat);
  EXPECT_EQ(regularised_covariance(relu2_1, 1e-3).scalar_type(), at::kDouble);
  const std::vector<TapPair> taps = {{features.at("relu1_1"), targets.at("relu1_1")}, {relu2_1, targets.at("relu2_1")}};
  // W2 is computed in fp64 and summed as the fp32 run sums it (a bf16 sum would narrow it again).
  EXPECT_EQ(style_w2_loss(taps, 1e-3).scalar_type(), at::kFloat);
  EXPECT_EQ(style_moments_loss(taps).scalar_type(), at::kFloat);
  EXPECT_EQ(style_gram_loss(taps).scalar_type(), at::kFloat);
}

Config tiny_adain_with_w2() {
  Config config;
  config.model.kind = "adain";
  config.model.width = 0.0625;  // channels 4 .. 32
  config.loss.style_gram = 0.0;
  config.loss.style_moments = 1.0;
  config.loss.style_w2 = 1.0;
  return config;
}

// Each term of the step as a double, run under CPU bf16 autocast or not, then backward.
std::map<std::string, double> step_terms(StyleModel& model, const StepInput& input, bool bf16) {
  for (auto& parameter : model.parameters()) parameter.mutable_grad() = at::Tensor();
  LossTerms terms = [&] {
    AutocastScope scope(bf16, c10::kCPU);
    return model.training_step(input);
  }();
  terms.total().backward();
  std::map<std::string, double> values;
  for (const auto& [name, value] : terms.terms()) values[name] = value.item<double>();
  return values;
}

TEST(CpuBf16, TrainingStepWithW2IsFiniteAndWithinTwoPercentOfFp32) {
  auto model = make_model(tiny_adain_with_w2());
  at::manual_seed(123);
  const StepInput input{at::rand({2, 3, 32, 32}), at::rand({2, 3, 32, 32}), {}, 0};
  const auto fp32 = step_terms(*model, input, false);
  const auto bf16 = step_terms(*model, input, true);
  ASSERT_EQ(fp32.size(), bf16.size());
  ASSERT_TRUE(bf16.count("style_w2"));
  bool any_differs = false;
  for (const auto& [name, value] : bf16) {
    ASSERT_TRUE(std::isfinite(value)) << name;
    // bf16 keeps 8 bits of mantissa (relative rounding 0.4 %) through about ten layers; the
    // statistics, computed in fp32 and fp64, add nothing to that.
    EXPECT_NEAR(value, fp32.at(name), 0.02 * std::abs(fp32.at(name))) << name;
    any_differs = any_differs || value != fp32.at(name);
  }
  EXPECT_TRUE(any_differs) << "the step gave fp32's losses bit for bit: autocast did not run";
  for (const auto& parameter : model->trainable_parameters()) {
    ASSERT_TRUE(parameter.grad().defined());
    EXPECT_EQ(parameter.grad().scalar_type(), at::kFloat);
    EXPECT_TRUE(parameter.grad().isfinite().all().item<bool>());
  }
}

TEST(CpuBf16, AutocastForwardGivesFp32CloseToFp32) {
  auto model = make_model(tiny_adain_with_w2());
  model->eval();
  at::manual_seed(7);
  const at::Tensor content = at::rand({1, 3, 32, 32}), style = at::rand({1, 3, 32, 32});
  at::NoGradGuard no_grad;
  const auto stylize = [&](const at::Tensor& c, const at::Tensor& s) { return model->stylize(c, s); };
  const at::Tensor fp32 = autocast_forward(false, c10::Device(c10::kCPU), stylize)(content, style);
  const at::Tensor bf16 = autocast_forward(true, c10::Device(c10::kCPU), stylize)(content, style);
  EXPECT_FALSE(autocast_enabled(c10::kCPU));
  EXPECT_EQ(bf16.scalar_type(), at::kFloat);
  EXPECT_TRUE(at::equal(fp32, model->stylize(content, style)));  // off: exactly the fp32 path
  // Images in [0, 1] are written with 8 bits: the mean difference stays below two of its levels.
  const double difference = (bf16 - fp32).abs().mean().item<double>();
  EXPECT_GT(difference, 0.0) << "no bf16 rounding at all: autocast did not run";
  EXPECT_LT(difference, 2.0 / 255.0) << "mean |bf16 - fp32| " << difference;
}

TEST(CpuBf16, NativeSupportFromTheFlagsLines) {
  EXPECT_TRUE(cpuinfo_has_native_bf16("processor\t: 0\nflags\t\t: fpu avx512f avx512_bf16 clzero\n"));
  EXPECT_TRUE(cpuinfo_has_native_bf16("flags\t\t: fpu amx_bf16 amx_tile\n"));
  EXPECT_FALSE(cpuinfo_has_native_bf16("flags\t\t: fpu avx512f avx512bw avx512_vnni\n"));
  EXPECT_FALSE(cpuinfo_has_native_bf16("bugs\t\t: avx512_bf16\nflags\t\t: fpu avx2\n"));  // another line
  EXPECT_FALSE(cpuinfo_has_native_bf16("flags\t\t: avx512_bf16x\n"));                    // whole words only
  EXPECT_FALSE(cpuinfo_has_native_bf16(""));
}

}  // namespace
}  // namespace varstyle
