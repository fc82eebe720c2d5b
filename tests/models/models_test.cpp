// The four models through the one interface: output shapes, frozen networks get no gradient,
// the reparameterised sample's mean and variance, interpolation end points, alpha = 0, sampling,
// configuration errors, and a few training steps with falling loss for each kind.
#include <gtest/gtest.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/optim/adam.h>

#include <cmath>
#include <map>

#include "core/error.h"
#include "losses/style_losses.h"
#include "nets/autocast_scope.h"
#include "models/style_model.h"

namespace varstyle {
namespace {

Config tiny_config(const std::string& kind) {
  Config config;
  config.model.kind = kind;
  config.model.width = 0.0625;  // channels 4 .. 32
  config.model.latent_dim = 8;
  config.model.content_dim = 4;
  config.model.linear_dim = 4;
  config.loss.style_gram = 1.0;
  if (kind == "vst") {
    config.loss.kl = 0.01;
    config.loss.disentangle = 0.1;
    config.model.adain_stages = 3;
  }
  if (kind == "adain") config.loss.style_moments = 1.0;
  if (kind == "linear" || kind == "wae") config.loss.content_target = ContentTarget::kContent;
  if (kind == "wae") {
    config.loss.mmd = 1.0;
    config.loss.logvar = 0.01;
    config.loss.logvar_on = LogvarOn::kBoth;
    config.loss.reconstruction = 1.0;
  }
  return config;
}

struct Images {
  at::Tensor content, style, other_style;
};

Images tiny_images() {
  at::manual_seed(123);
  return {at::rand({2, 3, 32, 32}), at::rand({2, 3, 32, 32}), at::rand({2, 3, 32, 32})};
}

class EveryModel : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryModel, ShapesAndFrozenNetworksWithoutGradient) {
  auto model = make_model(tiny_config(GetParam()));
  Images images = tiny_images();
  LossTerms terms = model->training_step({images.content, images.style, {}, 0});
  ASSERT_FALSE(terms.terms().empty());
  for (const auto& [name, value] : terms.terms()) EXPECT_TRUE(std::isfinite(value.item<float>())) << name;
  terms.total().backward();
  int64_t trainable = 0;
  for (const auto& item : model->named_parameters()) {
    const bool frozen = item.key().rfind("vgg.", 0) == 0 || item.key().rfind("loss_network.", 0) == 0;
    if (frozen) {
      EXPECT_FALSE(item.value().requires_grad()) << item.key();
      EXPECT_FALSE(item.value().grad().defined()) << item.key();
    } else {
      EXPECT_TRUE(item.value().requires_grad()) << item.key();
      ++trainable;
    }
  }
  EXPECT_GT(trainable, 0);
  EXPECT_EQ(static_cast<int64_t>(model->trainable_parameters().size()), trainable);
  torch::NoGradGuard no_grad;
  EXPECT_EQ(model->stylize(images.content, images.style).sizes(), (std::vector<int64_t>{2, 3, 32, 32}));
  EXPECT_EQ(model->stylize(images.content, images.style.narrow(0, 0, 1)).sizes(), (std::vector<int64_t>{2, 3, 32, 32}));
}

TEST_P(EveryModel, InterpolationEndPointsAndAlphaZero) {
  auto model = make_model(tiny_config(GetParam()));
  model->eval();
  Images images = tiny_images();
  torch::NoGradGuard no_grad;
  const at::Tensor first = model->stylize(images.content, images.style);
  const at::Tensor second = model->stylize(images.content, images.other_style);
  EXPECT_TRUE(at::allclose(model->interpolate(images.content, {images.style, images.other_style}, {1.0, 0.0}), first, 1e-5, 1e-5));
  EXPECT_TRUE(at::allclose(model->interpolate(images.content, {images.style, images.other_style}, {0.0, 1.0}), second, 1e-5, 1e-5));
  EXPECT_FALSE(at::allclose(first, second));
  // alpha = 0: the content's own reconstruction path, whatever the style.
  EXPECT_TRUE(at::allclose(model->stylize(images.content, images.style, 0.0),
                           model->stylize(images.content, images.other_style, 0.0), 1e-5, 1e-6));
}

TEST_P(EveryModel, TrainsWithFallingLoss) {
  auto model = make_model(tiny_config(GetParam()));
  model->train();
  Images images = tiny_images();
  torch::optim::Adam optimiser(model->trainable_parameters(), torch::optim::AdamOptions(2e-3));
  std::vector<double> losses;
  for (int step = 0; step < 30; ++step) {
    optimiser.zero_grad();
    at::Tensor loss = model->training_step({images.content, images.style, {1, 2}, 0}).total();
    loss.backward();
    optimiser.step();
    losses.push_back(loss.item<double>());
  }
  const double first = (losses[0] + losses[1] + losses[2]) / 3, last = (losses[27] + losses[28] + losses[29]) / 3;
  EXPECT_LT(last, 0.8 * first) << GetParam() << ": " << first << " -> " << last;
}

INSTANTIATE_TEST_SUITE_P(Models, EveryModel, ::testing::Values("vst", "wae", "adain", "linear"),
                         [](const auto& info) { return info.param; });

TEST(Reparameterise, SampleHasTheRightMeanAndVariance) {
  const int64_t n = 20000;
  at::Tensor mean = at::tensor({1.0f, -2.0f}).repeat({n, 1});
  at::Tensor log_variance = at::tensor({std::log(4.0f), std::log(0.25f)}).repeat({n, 1});
  std::vector<uint64_t> keys;
  for (int64_t i = 0; i < n; ++i) keys.push_back(static_cast<uint64_t>(i) * 7919 + 1);
  const at::Tensor z = reparameterise(mean, log_variance, keys);
  EXPECT_NEAR(z.select(1, 0).mean().item<float>(), 1.0, 0.05);
  EXPECT_NEAR(z.select(1, 1).mean().item<float>(), -2.0, 0.02);
  EXPECT_NEAR(z.select(1, 0).var().item<float>(), 4.0, 0.15);
  EXPECT_NEAR(z.select(1, 1).var().item<float>(), 0.25, 0.01);
  // A row's noise depends on its key only, not on its position in the batch.
  const at::Tensor pair = reparameterise(mean.narrow(0, 0, 2), log_variance.narrow(0, 0, 2), {keys[5], keys[3]});
  EXPECT_TRUE(at::equal(pair[0], z[5]));
  EXPECT_TRUE(at::equal(pair[1], z[3]));
}

TEST(Models, SamplingNewStyles) {
  for (const char* kind : {"vst", "wae"}) {
    auto model = make_model(tiny_config(kind));
    model->eval();
    torch::NoGradGuard no_grad;
    const at::Tensor content = tiny_images().content.narrow(0, 0, 1);
    const at::Tensor samples = model->sample(content, 3, 42);
    EXPECT_EQ(samples.sizes(), (std::vector<int64_t>{3, 3, 32, 32})) << kind;
    EXPECT_FALSE(at::allclose(samples[0], samples[1])) << kind;
    EXPECT_TRUE(at::equal(samples, model->sample(content, 3, 42))) << kind;
    EXPECT_EQ(model->encode_style(content).sizes(), (std::vector<int64_t>{1, 8})) << kind;
  }
  auto adain = make_model(tiny_config("adain"));
  try {
    adain->sample(tiny_images().content.narrow(0, 0, 1), 2, 1);
    FAIL() << "adain has no style code to sample";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'adain' cannot sample"), std::string::npos) << e.what();
  }
}

TEST(Models, ZeroWeightTermsAreNotComputed) {
  Config config = tiny_config("vst");
  config.loss.disentangle = 0.0;
  config.loss.kl = 0.0;
  auto model = make_model(config);
  Images images = tiny_images();
  LossTerms terms = model->training_step({images.content, images.style, {}, 0});
  std::vector<std::string> names;
  for (const auto& term : terms.terms()) names.push_back(term.first);
  EXPECT_EQ(names, (std::vector<std::string>{"content", "style_gram"}));
}

TEST(Models, KlWarmupRampsTheWeight) {
  Config config = tiny_config("vst");
  config.loss.kl_warmup = 10;
  auto model = make_model(config);
  Images images = tiny_images();
  auto kl_at = [&](int64_t step) {
    const LossTerms terms = model->training_step({images.content, images.style, {1, 2}, step});
    for (const auto& term : terms.terms())
      if (term.first == "kl") return term.second.item<double>();
    return 0.0;
  };
  EXPECT_NEAR(kl_at(5), 0.5 * kl_at(10), 1e-6 * std::abs(kl_at(10)) + 1e-9);
  EXPECT_NEAR(kl_at(20), kl_at(10), 1e-9);
}

TEST(Models, ResnetLossNetworkWithSwagAndW2) {
  Config config = tiny_config("adain");
  config.loss.network = LossNetwork::kResnet;
  config.loss.content_target = ContentTarget::kContent;
  config.loss.swag = true;
  config.loss.style_w2 = 0.5;
  auto model = make_model(config);
  Images images = tiny_images();
  LossTerms terms = model->training_step({images.content, images.style, {}, 0});
  EXPECT_EQ(terms.terms().size(), 4u);  // content, gram, moments, w2
  terms.total().backward();
  EXPECT_NE(model->describe().find("resnet"), std::string::npos);
}

TEST(Models, VstGradientsArriveInReverseRegistrationOrder) {
  // The reducer fills buckets in reverse registration order and launches them in order, so the
  // parameters backward reaches first must be registered last (they were the AdaIN MLP's, which
  // backward reaches only after the whole decoder: no all-reduce could start before the end).
  auto model = make_model(tiny_config("vst"));
  const auto parameters = model->trainable_parameters();
  std::vector<size_t> arrival;
  for (size_t i = 0; i < parameters.size(); ++i)
    parameters[i].register_hook([&arrival, i](const at::Tensor& grad) { arrival.push_back(i); return grad; });
  Images images = tiny_images();
  model->training_step({images.content, images.style, {1, 2}, 0}).total().backward();
  ASSERT_EQ(arrival.size(), parameters.size());
  EXPECT_GE(arrival.front(), parameters.size() - 2) << "first gradient: parameter " << arrival.front();
  EXPECT_GE(arrival[1], parameters.size() - 2) << "second gradient: parameter " << arrival[1];
}

TEST(Models, DisentanglementComparesWithTheCodeMean) {
  // Outputs made independent of z (the MLP's weights zeroed) and a wide posterior (sigma = e^3):
  // compared with the code mean, the hinge is the same whatever the noise and active under a
  // margin; compared with the noisy z it would carry tr Sigma = 8 e^6 and never activate.
  Config config = tiny_config("vst");
  config.loss.disentangle_margin = 1000.0;
  auto model = make_model(config);
  {
    torch::NoGradGuard no_grad;
    auto parameters = model->named_parameters();
    parameters["style_encoder.log_variance.bias"].fill_(6.0);
    parameters["style_encoder.log_variance.weight"].zero_();
    parameters["to_adain.hidden.weight"].zero_();
    parameters["to_adain.output.weight"].zero_();
  }
  Images images = tiny_images();
  auto disentangle_with = [&](std::vector<uint64_t> keys) {
    const LossTerms terms = model->training_step({images.content, images.style, keys, 0});
    for (const auto& [name, value] : terms.terms())
      if (name == "disentangle") return value.item<double>();
    return -1.0;
  };
  const double first = disentangle_with({1, 2}), second = disentangle_with({7, 9});
  EXPECT_GT(first, 0.0);
  EXPECT_DOUBLE_EQ(first, second);
}

TEST(Models, WaeReconstructionUsesTheLossNetwork) {
  // The rebuilt image and its target are both in the loss network's space: a ResNet loss network
  // used to fail here (encoder VGG relu4_1 against ResNet relu4_1).
  Config config = tiny_config("wae");
  config.loss.network = LossNetwork::kResnet;
  config.loss.content_layers = {"relu3_1"};
  auto model = make_model(config);
  Images images = tiny_images();
  const LossTerms terms = model->training_step({images.content, images.style, {1, 2}, 0});
  bool found = false;
  for (const auto& [name, value] : terms.terms()) {
    EXPECT_TRUE(std::isfinite(value.item<double>())) << name;
    found |= name == "reconstruction";
  }
  EXPECT_TRUE(found);
}

// The content term of one training step of `kind` with `target` at `layers` (the tiny config's
// encoder depth added last): the same weights, images and keys for every target, so two targets'
// terms differ only through the target.
double content_term(const std::string& kind, ContentTarget target, std::vector<std::string> layers) {
  Config config = tiny_config(kind);
  config.loss.content_target = target;
  layers.push_back(config.model.encoder_depth);
  config.loss.content_layers = layers;
  auto model = make_model(config);
  Images images = tiny_images();
  torch::NoGradGuard no_grad;
  const LossTerms terms = model->training_step({images.content, images.style, {1, 2}, 0});
  for (const auto& [name, value] : terms.terms())
    if (name == "content") return value.item<double>();
  ADD_FAILURE() << kind << ": no content term";
  return std::nan("");
}

void expect_targets_differ(const std::string& kind, ContentTarget a, ContentTarget b, const std::vector<std::string>& layers) {
  const double term_a = content_term(kind, a, layers), term_b = content_term(kind, b, layers);
  EXPECT_TRUE(std::isfinite(term_a)) << kind;
  EXPECT_TRUE(std::isfinite(term_b)) << kind;
  EXPECT_GT(std::abs(term_a - term_b), 1e-3 * std::abs(term_b)) << kind;
}

TEST(Models, LinearAndWaeHonourTheContentTarget) {
  // content_target: adain compares the output with the decoder's input (linear's transformed
  // features, wae's content latent under the style's AdaIN), not with the content image's own
  // features; linear used to ignore the setting and always take the content's.
  for (const char* kind : {"linear", "wae"}) expect_targets_differ(kind, ContentTarget::kAdain, ContentTarget::kContent, {});
}

TEST(Models, EveryKindHonoursTheStyledContentTarget) {
  // content_target: styled gives the content's features the style's statistics at each content
  // layer, which must reach the content term of every kind.
  for (const char* kind : {"vst", "wae", "adain", "linear"})
    expect_targets_differ(kind, ContentTarget::kStyled, ContentTarget::kContent, {"relu1_1"});
}

TEST(Models, EveryEncoderDepthBuildsAndStylises) {
  for (const char* kind : {"vst", "wae", "adain", "linear"}) {
    for (const char* depth : {"relu2_1", "relu3_1"}) {
      Config config = tiny_config(kind);
      config.model.encoder_depth = depth;
      config.model.adain_stages = 1;
      if (config.loss.content_target == ContentTarget::kAdain) config.loss.content_layers = {depth};
      auto model = make_model(config);
      Images images = tiny_images();
      model->training_step({images.content, images.style, {1, 2}, 0}).total().backward();
      torch::NoGradGuard no_grad;
      EXPECT_EQ(model->stylize(images.content, images.style).sizes(), (std::vector<int64_t>{2, 3, 32, 32})) << kind << " " << depth;
    }
  }
}

TEST(Models, WaeModulatesTheLaterStagesItIsGiven) {
  // tiny_config's decoder from relu4_1 at width 1/16: 32 input channels, 16 after the first
  // upsampling. A scale and a bias per channel and stage.
  Config config = tiny_config("wae");
  config.model.adain_stages = 2;
  auto model = make_model(config);
  at::Tensor bias;
  for (const auto& item : model->named_parameters())
    if (item.key() == "to_adain.output.bias") bias = item.value();
  ASSERT_TRUE(bias.defined());
  ASSERT_EQ(bias.size(0), 2 * (32 + 16));
  Images images = tiny_images();
  model->training_step({images.content, images.style, {1, 2}, 0}).total().backward();
  ASSERT_GT(bias.grad().narrow(0, 64, 32).abs().sum().item<double>(), 0.0);  // the later stage is trained
  torch::NoGradGuard no_grad;
  const at::Tensor before = model->stylize(images.content, images.style);
  bias.narrow(0, 80, 16).add_(1.0);  // the later stage's biases
  EXPECT_GT((model->stylize(images.content, images.style) - before).abs().max().item<double>(), 1e-3);
}

class CodeColourKind : public ::testing::TestWithParam<std::string> {};

TEST_P(CodeColourKind, SetsTheOutputsColours) {
  // model.code_colour starts as the identity: the outputs of the same model without it (it is
  // built after every other network, so theirs are the same weights). Training reaches it, and
  // its output layer sets a matrix M and a shift: with M = 0 every pixel is the decoder's mean
  // colour plus the shift. wae's code feeds it, linear's transformed features.
  Config config = tiny_config(GetParam());
  auto plain = make_model(config);
  config.model.code_colour = true;
  auto model = make_model(config);
  at::Tensor weight, bias;
  for (const auto& item : model->named_parameters()) {
    if (item.key() == "code_colour.output.weight") weight = item.value();
    if (item.key() == "code_colour.output.bias") bias = item.value();
  }
  ASSERT_TRUE(weight.defined() && bias.defined());
  ASSERT_EQ(bias.size(0), 12);
  Images images = tiny_images();
  model->training_step({images.content, images.style, {1, 2}, 0}).total().backward();
  EXPECT_GT(weight.grad().abs().sum().item<double>(), 0.0);
  torch::NoGradGuard no_grad;
  const at::Tensor before = plain->stylize(images.content, images.style);
  EXPECT_LT((model->stylize(images.content, images.style) - before).abs().max().item<double>(), 1e-6);
  // Its input is the style's: with weights from the hidden layer, the same content under two
  // styles gets different shifts. M turns each pixel about the mean and leaves the mean alone,
  // so the mean of what the transform adds is the shift alone, whatever the decoder made.
  at::manual_seed(9);
  weight.normal_(0.0, 0.5);
  const auto shift = [&](const at::Tensor& style) {
    return (model->stylize(images.content, style) - plain->stylize(images.content, style)).mean({2, 3});
  };
  EXPECT_GT((shift(images.style) - shift(images.other_style)).abs().max().item<double>(), 1e-3);
  weight.zero_();
  bias.narrow(0, 0, 9).copy_(-at::eye(3).flatten());
  bias.narrow(0, 9, 3).copy_(at::tensor({0.1f, -0.2f, 0.3f}));
  const at::Tensor expected = before.mean({2, 3}, true) + at::tensor({0.1f, -0.2f, 0.3f}).view({1, 3, 1, 1});
  EXPECT_LT((model->stylize(images.content, images.style) - expected).abs().max().item<double>(), 1e-5);
  // Under bf16 autocast (train.bf16, --bf16) the transform still runs, in fp32: at::eye has no
  // bf16 kernel, and the first training step failed on it.
  AutocastScope scope(true, c10::kCPU);
  EXPECT_EQ(model->stylize(images.content, images.style).scalar_type(), at::kFloat);
  EXPECT_NO_THROW(model->training_step({images.content, images.style, {1, 2}, 0}));
}

INSTANTIATE_TEST_SUITE_P(Models, CodeColourKind, ::testing::Values("wae", "linear"));

TEST(Models, LinearColourTransformReadsItsStatisticsDetached) {
  // linear's transform reads the transformed features' statistics and sends no gradient back
  // into the transformation module (sent back, the colour loss reshaped the decoder's input; see
  // docs/quality.md). The image's mean is the decoder's mean plus the shift, so its gradient in
  // the transformation module is the plain model's exactly when the statistics are detached.
  Config config = tiny_config("linear");
  auto plain = make_model(config);
  config.model.code_colour = true;
  auto model = make_model(config);
  at::manual_seed(9);
  {
    torch::NoGradGuard no_grad;
    for (auto& item : model->named_parameters())
      if (item.key() == "code_colour.output.weight") item.value().normal_(0.0, 0.5);
  }
  Images images = tiny_images();
  const auto transform_gradient = [&](StyleModel& which) {
    std::vector<at::Tensor> parameters;
    for (const auto& item : which.named_parameters())
      if (item.key().rfind("transform.", 0) == 0) parameters.push_back(item.value());
    const auto gradients = torch::autograd::grad({which.stylize(images.content, images.style).mean()}, parameters);
    std::vector<at::Tensor> flat;
    for (const auto& gradient : gradients) flat.push_back(gradient.flatten());
    return at::cat(flat);
  };
  const at::Tensor expected = transform_gradient(*plain);
  ASSERT_GT(expected.abs().max().item<double>(), 0.0);
  EXPECT_LT((transform_gradient(*model) - expected).abs().max().item<double>(), 1e-6 * expected.abs().max().item<double>() + 1e-9);
  // The shift itself does depend on the style (the test above), so the detach is what holds it.
}

TEST(Models, ImageTapAndRangeTerm) {
  // "rgb" is the image itself: its moments are the output's colour statistics against the style's.
  Config config = tiny_config("adain");
  config.loss.style_layers = {"rgb", "relu1_1"};
  config.loss.style_layer_weights = {10.0, 1.0};
  config.loss.style_gram = 0.0;
  config.loss.range = 1.0;
  auto model = make_model(config);
  Images images = tiny_images();
  const LossTerms terms = model->training_step({images.content, images.style, {}, 0});
  std::vector<std::string> names;
  for (const auto& term : terms.terms()) names.push_back(term.first);
  EXPECT_EQ(names, (std::vector<std::string>{"content", "style_moments", "range"}));
  // The rgb part alone: moments of the images themselves.
  Config rgb_only = config;
  rgb_only.loss.style_layers = {"rgb"};
  rgb_only.loss.style_layer_weights = {};
  rgb_only.loss.content = 0.0;
  rgb_only.loss.range = 0.0;
  auto model_rgb = make_model(rgb_only);
  const at::Tensor moments = model_rgb->training_step({images.content, images.style, {}, 0}).total();
  at::Tensor output;
  {
    torch::NoGradGuard no_grad;
    output = model_rgb->stylize(images.content, images.style);
  }
  EXPECT_NEAR(moments.item<double>(), style_moments_loss({{output, images.style, 1.0}}).item<double>(), 1e-5);
}

TEST(Models, StyleEncoderReadsTheStyleMoments) {
  // With model.style_encoder_moments, E_s's code layer (vst's and wae's) reads each listed tap's
  // per-channel means and spreads after its pooled relu3_1 convolutions. Weights that pass only
  // the rgb means through give a flat image's colour as the code, whatever the convolutions make
  // of it.
  for (const std::string kind : {"vst", "wae"}) {
    SCOPED_TRACE(kind);
    Config config = tiny_config(kind);
    config.model.style_encoder_moments = {"rgb", "relu1_1"};
    auto model = make_model(config);
    const int64_t pooled = 2 * 16, moments = 2 * 3 + 2 * 4;  // relu3_1 and relu1_1 at width 1/16: 16 and 4
    at::Tensor weight, bias;
    for (const auto& p : model->named_parameters()) {
      if (p.key() == "style_encoder.mean.weight") weight = p.value();
      if (p.key() == "style_encoder.mean.bias") bias = p.value();
    }
    ASSERT_TRUE(weight.defined() && bias.defined());
    ASSERT_EQ(weight.sizes(), (std::vector<int64_t>{8, pooled + moments}));
    {
      torch::NoGradGuard no_grad;
      weight.zero_();
      bias.zero_();
      for (int64_t c = 0; c < 3; ++c) weight[c][pooled + c] = 1.0;  // the rgb means come first
    }
    const at::Tensor colour = at::tensor({0.2f, 0.5f, 0.7f});
    const at::Tensor flat = colour.view({1, 3, 1, 1}).expand({2, 3, 32, 32}).contiguous();
    at::Tensor code;
    {
      torch::NoGradGuard no_grad;
      code = model->encode_style(flat);
    }
    EXPECT_TRUE(at::allclose(code.narrow(1, 0, 3), colour.expand({2, 3}), 1e-6, 1e-6)) << code;
    EXPECT_TRUE(at::allclose(code.narrow(1, 3, 5), at::zeros({2, 5}))) << code;
    // The training step's codes read them too: the latent terms' gradient reaches their columns.
    Images images = tiny_images();
    model->training_step({images.content, images.style, {}, 0}).total().backward();
    ASSERT_TRUE(weight.grad().defined());
    EXPECT_GT(weight.grad().narrow(1, pooled, moments).abs().sum().item<double>(), 0.0);
  }
}

TEST(Models, UnknownTapIsAConfigError) {
  Config config = tiny_config("adain");
  config.loss.style_layers = {"relu1_1", "relu9_1"};
  try {
    make_model(config);
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("relu9_1"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace varstyle
