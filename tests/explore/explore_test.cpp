// The explorer's parts in-process: the prepared-content API decodes bit for bit what decode and
// stylize do (for every kind), view requests are refused with messages naming the field, the
// latent summary in closed form, base64 and the code file's round trip.
#include <gtest/gtest.h>

#include <ATen/core/grad_mode.h>

#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "explore/code_file.h"
#include "explore/latent_summary.h"
#include "explore/png_codec.h"
#include "explore/request_error.h"
#include "explore/view_request.h"
#include "models/style_model.h"

namespace varstyle {
namespace {

Config tiny_config(const std::string& kind) {
  Config config;
  config.model.kind = kind;
  config.model.width = 0.0625;
  config.model.latent_dim = 8;
  config.model.content_dim = 4;
  config.model.linear_dim = 4;
  config.model.encoder_depth = "relu2_1";
  config.model.decoder_noise = 0.1;  // the inference noise must match too
  config.model.decoder_coarse_noise = 0.1;
  config.model.decoder_coarse_factor = 3;  // does not divide the inputs' sizes: the map is cropped
  config.loss.style_gram = 1.0;
  if (kind == "wae" || kind == "linear") config.model.code_colour = true;
  return config;
}

class EveryKind : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryKind, PreparedContentDecodesExactlyAsDecodeAndStylize) {
  auto model = make_model(tiny_config(GetParam()));
  model->eval();
  at::NoGradGuard no_grad;
  at::manual_seed(5);
  // The colour transform (wae, linear) starts as the identity: made to depend on its input, so
  // that every decode path below must apply it alike.
  for (auto& item : model->named_parameters())
    if (item.key().rfind("code_colour.output.", 0) == 0) item.value().normal_(0.0, 0.1);
  const at::Tensor content = at::rand({1, 3, 32, 40}), style = at::rand({1, 3, 32, 32}), other = at::rand({1, 3, 24, 24});
  const auto prepared = model->prepare_content(content);
  EXPECT_TRUE(at::equal(model->mix_prepared(prepared, {model->prepare_style(style)}, {1.0}, 0.7), model->stylize(content, style, 0.7)));
  EXPECT_TRUE(at::equal(model->mix_prepared(prepared, {model->prepare_style(style), model->prepare_style(other)}, {0.25, 0.75}),
                        model->interpolate(content, {style, other}, {0.25, 0.75})));
  if (model->has_style_code()) {
    const at::Tensor code = at::randn({1, 8});
    EXPECT_TRUE(at::equal(model->decode_prepared(prepared, code, 0.6), model->decode(content, code, 0.6)));
  }
}

INSTANTIATE_TEST_SUITE_P(Explore, EveryKind, ::testing::Values("vst", "wae", "adain", "linear"));

std::string refusal(const std::string& body, const ViewLimits& limits) {
  try {
    parse_view(body, limits);
  } catch (const RequestError& e) {
    EXPECT_EQ(e.status(), 400);
    return e.what();
  }
  return "accepted";
}

TEST(ViewRequest, RefusesWithTheFieldNamed) {
  const ViewLimits code{"vst", 3, 2}, none{"adain", 0, 2};
  EXPECT_EQ(parse_view(R"({"code": [0, 1.5, -2], "alpha": 0.5, "size": 128})", code).code, (std::vector<float>{0, 1.5f, -2}));
  EXPECT_EQ(parse_view(R"({"styles": [{"style": 1, "weight": 0.5}]})", none).styles.at(0).style, 1u);
  EXPECT_NE(refusal("{", code).find("not valid JSON"), std::string::npos);
  EXPECT_NE(refusal(R"({"code": [0, 1]})", code).find("3 numbers"), std::string::npos);
  EXPECT_NE(refusal(R"({"code": [0, 1, 1000]})", code).find("code[2]"), std::string::npos);
  EXPECT_NE(refusal(R"({"code": [0, 1, 2], "alpha": -0.1})", code).find("alpha"), std::string::npos);
  EXPECT_NE(refusal(R"({"code": [0, 1, 2], "size": 300})", code).find("size: 300"), std::string::npos);
  EXPECT_NE(refusal(R"({"code": [0, 1, 2]})", none).find("'adain' has no style code"), std::string::npos);
  EXPECT_NE(refusal(R"({"styles": [{"style": 2, "weight": 1}]})", none).find("styles[0].style"), std::string::npos);
  EXPECT_NE(refusal(R"({"styles": [{"style": 0, "weight": 1}], "code": [0, 0, 0]})", code).find("exactly one"), std::string::npos);
  EXPECT_NE(refusal(R"({"size": 256})", code).find("exactly one"), std::string::npos);
  EXPECT_NE(refusal(R"({"code": [0, 0, 0], "zoom": 2})", code).find("unknown key 'zoom'"), std::string::npos);
}

TEST(LatentSummary, VarianceOrderAndLabelMeans) {
  // Dimension 1 varies most (variance 4), dimension 2 next (1), dimension 0 not at all.
  const at::Tensor codes = at::tensor({1.0f, -2.0f, 0.0f, 1.0f, 2.0f, 2.0f, 1.0f, -2.0f, 2.0f, 1.0f, 2.0f, 0.0f}).view({4, 3});
  const LatentSummary summary = summarise_codes(codes, {"a", "b", "a", ""});
  EXPECT_EQ(summary.order, (std::vector<int64_t>{1, 2, 0}));
  EXPECT_DOUBLE_EQ(summary.variance[1], 4.0);
  EXPECT_DOUBLE_EQ(summary.variance[2], 1.0);
  EXPECT_DOUBLE_EQ(summary.variance[0], 0.0);
  ASSERT_EQ(summary.labels.size(), 2u);
  EXPECT_EQ(summary.labels[0].name, "a");
  EXPECT_EQ(summary.labels[0].count, 2);
  EXPECT_EQ(summary.labels[0].code, (std::vector<float>{1, -2, 1}));
  EXPECT_TRUE(summarise_codes(codes, {}).labels.empty());
}

TEST(PngCodec, Base64KnownValues) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
}

TEST(CodeFile, RoundTripsFloatsExactlyAndNamesProblems) {
  const auto folder = std::filesystem::temp_directory_path() / "varstyle_code_file_test";
  std::filesystem::create_directories(folder);
  const CodeFile original{"vst", {0.1f, -2.7182817f, 1e-7f, 3.0f}, 0.35, 128, "run/model.h5"};
  const auto path = folder / "code.json";
  std::ofstream(path) << code_file_json(original).dump(2);
  const CodeFile read = read_code_file(path);
  EXPECT_EQ(read.code, original.code);
  EXPECT_EQ(read.alpha, 0.35);
  EXPECT_EQ(read.size, 128);
  EXPECT_EQ(read.kind, "vst");
  std::ofstream(folder / "bad.json") << R"({"format": "varstyle-code", "kind": "vst", "code": [1, "x"]})";
  try {
    read_code_file(folder / "bad.json");
    FAIL() << "accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("bad.json: code[1]"), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(folder);
}

}  // namespace
}  // namespace varstyle
