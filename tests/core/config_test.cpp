// Configuration: defaults, file values, overrides, the resolved YAML round trip, and one test per
// kind of bad input (each message names file:line, the key path and the reason; exit code 2).
#include "core/config.h"

#include <gtest/gtest.h>

#include "core/config_enums.h"

#include "core/error.h"
#include "test_support.h"

namespace varstyle {
namespace {

using testing::ScratchDir;
using testing::write_text;

std::string error_of(const std::filesystem::path& file, const std::vector<std::string>& overrides = {}) {
  try {
    load_config(file, overrides);
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.code(), ExitCode::kBadConfig);
    return e.what();
  }
  ADD_FAILURE() << "expected a ConfigError for " << file;
  return "";
}

TEST(Config, FileValuesOverrideDefaultsAndOverridesWin) {
  ScratchDir dir;
  write_text(dir / "c.yaml", "data:\n  content: /data/places\n  batch_size: 4\ntrain:\n  seed: 7\n");
  Config config = load_config(dir / "c.yaml", {"data.batch_size=16", "data.hflip=false"});
  EXPECT_EQ(config.data.content, "/data/places");
  EXPECT_EQ(config.data.batch_size, 16);
  EXPECT_FALSE(config.data.hflip);
  EXPECT_EQ(config.train.seed, 7);
  EXPECT_EQ(config.data.size, 256);  // default untouched
  EXPECT_EQ(config.data.prefetch, 4);
}

TEST(Config, OverrideValueArrivesLiterally) {
  Config config = config_from_overrides({"data.content=/a b/$(rm -rf x); echo"});
  EXPECT_EQ(config.data.content, "/a b/$(rm -rf x); echo");
}

TEST(Config, ResolvedYamlRoundTrips) {
  ScratchDir dir;
  Config config = config_from_overrides({"data.content=x y", "data.size=64", "train.threads=3"});
  write_text(dir / "resolved.yaml", config_to_yaml(config));
  Config again = load_config(dir / "resolved.yaml", {});
  EXPECT_EQ(config_to_yaml(again), config_to_yaml(config));
  EXPECT_EQ(again.data.content, "x y");
  EXPECT_EQ(again.data.size, 64);
  EXPECT_EQ(again.train.threads, 3);
}

TEST(Config, EveryKeyIsListedOnceInOrder) {
  auto keys = config_keys();
  ASSERT_FALSE(keys.empty());
  EXPECT_EQ(keys.front(), "data.content");
  EXPECT_NE(std::find(keys.begin(), keys.end(), "train.seed"), keys.end());
  std::set<std::string> unique(keys.begin(), keys.end());
  EXPECT_EQ(unique.size(), keys.size());
}

TEST(Config, UnknownKeyNamesLineAndSuggests) {
  ScratchDir dir;
  write_text(dir / "c.yaml", "data:\n  content: x\n  bach_size: 4\n");
  const std::string message = error_of(dir / "c.yaml");
  EXPECT_NE(message.find("c.yaml:3:"), std::string::npos) << message;
  EXPECT_NE(message.find("data.bach_size"), std::string::npos) << message;
  EXPECT_NE(message.find("unknown key"), std::string::npos) << message;
  EXPECT_NE(message.find("did you mean 'data.batch_size'"), std::string::npos) << message;
}

TEST(Config, KeyInTheWrongSectionIsSuggestedWhereItBelongs) {
  ScratchDir dir;
  write_text(dir / "c.yaml", "train:\n  batch_size: 4\n");
  const std::string message = error_of(dir / "c.yaml");
  EXPECT_NE(message.find("did you mean 'data.batch_size'"), std::string::npos) << message;
}

TEST(Config, UnknownSectionIsRejected) {
  ScratchDir dir;
  write_text(dir / "c.yaml", "dta:\n  content: x\n");
  const std::string message = error_of(dir / "c.yaml");
  EXPECT_NE(message.find("c.yaml:1:"), std::string::npos) << message;
  EXPECT_NE(message.find("did you mean 'data'"), std::string::npos) << message;
}

TEST(Config, WrongTypeNamesKeyAndValue) {
  ScratchDir dir;
  write_text(dir / "c.yaml", "data:\n  batch_size: eight\n");
  const std::string message = error_of(dir / "c.yaml");
  EXPECT_NE(message.find("c.yaml:2:"), std::string::npos) << message;
  EXPECT_NE(message.find("data.batch_size: expected an integer, got 'eight'"), std::string::npos) << message;
  write_text(dir / "d.yaml", "data:\n  hflip: maybe\n");
  EXPECT_NE(error_of(dir / "d.yaml").find("expected true or false"), std::string::npos);
  write_text(dir / "e.yaml", "data: 5\n");
  EXPECT_NE(error_of(dir / "e.yaml").find("data: expected a section"), std::string::npos);
}

TEST(Config, DuplicateKeysNameTheKeyAndBothLines) {
  ScratchDir dir;
  write_text(dir / "c.yaml", "data:\n  batch_size: 2\n  size: 32\n  batch_size: 900\n");
  std::string message = error_of(dir / "c.yaml");
  EXPECT_NE(message.find("c.yaml:4:3: data.batch_size: duplicate key (first at line 2)"), std::string::npos) << message;
  write_text(dir / "d.yaml", "train:\n  steps: 1\ntrain:\n  steps: 2\n");
  message = error_of(dir / "d.yaml");
  EXPECT_NE(message.find("d.yaml:3:1: train: duplicate key (first at line 1)"), std::string::npos) << message;
  write_text(dir / "e.yaml", "data:\n  size: 32\n");
  message = error_of(dir / "e.yaml", {"loss={tv: 1, tv: 2}"});
  EXPECT_NE(message.find("override 'loss={tv: 1, tv: 2}': loss.tv: duplicate key"), std::string::npos) << message;
}

TEST(Config, NonScalarKeysNameFileAndLineNotTheParser) {
  ScratchDir dir;
  write_text(dir / "c.yaml", "data:\n  [a, b]: 1\n");
  std::string message = error_of(dir / "c.yaml");
  EXPECT_NE(message.find("c.yaml:2:3: data.?: a key must be a plain name, not a list"), std::string::npos) << message;
  EXPECT_EQ(message.find("yaml-cpp"), std::string::npos) << message;
  write_text(dir / "d.yaml", "? {x: 1}\n: 2\n");
  message = error_of(dir / "d.yaml");
  EXPECT_NE(message.find("d.yaml:1:"), std::string::npos) << message;
  EXPECT_NE(message.find("not a map"), std::string::npos) << message;
  write_text(dir / "e.yaml", "just a string\n");
  EXPECT_NE(error_of(dir / "e.yaml").find("e.yaml:1:1: expected a map of sections"), std::string::npos);
}

TEST(Config, EvalMethodNamesAreCheckedAtLoad) {
  ScratchDir dir;
  write_text(dir / "c.yaml", "eval:\n  methods: [identity, \"a/b:runs/x\"]\n");
  std::string message = error_of(dir / "c.yaml");
  EXPECT_NE(message.find("c.yaml:2:23: eval.methods[1]: method name 'a/b' is a path"), std::string::npos) << message;
  write_text(dir / "d.yaml", "train:\n  steps: 1\n");
  message = error_of(dir / "d.yaml", {"eval.methods=[\"q\\\"x:run\"]"});
  EXPECT_NE(message.find("override 'eval.methods=[\"q\\\"x:run\"]': eval.methods[0]: method name 'q\"x' may hold only"),
            std::string::npos) << message;
  EXPECT_NE(error_of(dir / "d.yaml", {"eval.methods=[gatys, gatys]"}).find("'gatys' is used twice"), std::string::npos);
  EXPECT_NE(error_of(dir / "d.yaml", {"eval.methods=[\"m:\"]"}).find("names no checkpoint"), std::string::npos);
  EXPECT_NE(error_of(dir / "d.yaml", {"eval.methods=[gatyss]"}).find("is not NAME:CHECKPOINT"), std::string::npos);
  EXPECT_NE(error_of(dir / "d.yaml", {"eval.methods=[\":run\"]"}).find("method name '' is empty"), std::string::npos);
  EXPECT_NE(error_of(dir / "d.yaml", {"eval.methods=[..:run]"}).find("must not start with '.'"), std::string::npos);
  EXPECT_NE(error_of(dir / "d.yaml", {"eval.methods=[]"}).find("eval.methods: is empty"), std::string::npos);
  EXPECT_EQ(load_config(dir / "d.yaml", {"eval.methods=[vst_2.b+1:runs/a/b, gatys, identity]"}).eval.methods.size(), 3u);
}

TEST(Config, OutOfRangeValue) {
  ScratchDir dir;
  write_text(dir / "c.yaml", "data:\n  batch_size: 0\n");
  const std::string message = error_of(dir / "c.yaml");
  EXPECT_NE(message.find("data.batch_size: 0 is out of range"), std::string::npos) << message;
  const std::string grey = error_of(dir / "c.yaml", {"data.batch_size=4", "data.style_grey=1.5"});
  EXPECT_NE(grey.find("data.style_grey: 1.5 is out of range [0, 1]"), std::string::npos) << grey;
  const std::string soft = error_of(dir / "c.yaml", {"data.batch_size=4", "data.style_soft_floor=-0.1"});
  EXPECT_NE(soft.find("data.style_soft_floor: -0.1 is out of range [0, 1]"), std::string::npos) << soft;
}

TEST(Config, MissingFile) {
  ScratchDir dir;
  const std::string message = error_of(dir / "absent.yaml");
  EXPECT_NE(message.find("absent.yaml: config file not found"), std::string::npos) << message;
}

TEST(Config, MalformedYamlNamesLine) {
  ScratchDir dir;
  write_text(dir / "c.yaml", "data:\n  content: [unclosed\n  size: 3\n");
  const std::string message = error_of(dir / "c.yaml");
  EXPECT_NE(message.find("malformed YAML"), std::string::npos) << message;
  EXPECT_NE(message.find("c.yaml:"), std::string::npos) << message;
}

TEST(Config, BadOverridesNameTheOverride) {
  ScratchDir dir;
  write_text(dir / "c.yaml", "data:\n  content: x\n");
  std::string message = error_of(dir / "c.yaml", {"data.sise=64"});
  EXPECT_NE(message.find("override 'data.sise=64'"), std::string::npos) << message;
  EXPECT_NE(message.find("did you mean 'data.size'"), std::string::npos) << message;
  message = error_of(dir / "c.yaml", {"data.size=big"});
  EXPECT_NE(message.find("override 'data.size=big': data.size: expected an integer"), std::string::npos) << message;
  message = error_of(dir / "c.yaml", {"no_equals_sign"});
  EXPECT_NE(message.find("expected section.key=value"), std::string::npos) << message;
  message = error_of(dir / "c.yaml", {"data.content.deeper=1"});
  EXPECT_NE(message.find("'content' is not a section"), std::string::npos) << message;
}

TEST(Config, ClosestMatch) {
  EXPECT_EQ(closest_match("bach_size", {"batch_size", "size"}), "batch_size");
  EXPECT_EQ(closest_match("zzzzzzzz", {"batch_size", "size"}), "");
}

TEST(ConfigCommand, RejectedConfigWritesNothingAndExitsTwo) {
  ScratchDir dir;
  write_text(dir / "c.yaml", "data:\n  batch_size: -3\n");
  auto result = testing::run_command(std::string(VARSTYLE_BINARY) + " config --config " +
                                     (dir / "c.yaml").string() + " --out " + (dir / "out").string());
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("data.batch_size"), std::string::npos) << result.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "out"));
  result = testing::run_command(std::string(VARSTYLE_BINARY) + " config --config " +
                                (dir / "c.yaml").string() + " data.batch_size=2 --out " +
                                (dir / "out").string());
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(load_config(dir / "out" / "config.yaml", {}).data.batch_size, 2);
}

}  // namespace
}  // namespace varstyle

namespace varstyle {
namespace {

// Every shipped configuration loads and validates.
TEST(Config, DoublesPrintInTheShortestFormThatRoundTrips) {
  Config config = config_from_overrides({"loss.disentangle=0.05", "loss.w2_eps=1e-5", "optim.lr=0.1",
                                         "loss.style_layer_weights=[0.1, 2.5]", "loss.style_layers=[relu1_1, relu2_1]"});
  const std::string text = config_to_yaml(config);
  EXPECT_NE(text.find("disentangle: 0.05\n"), std::string::npos) << text;
  EXPECT_NE(text.find("w2_eps: 1e-05\n"), std::string::npos) << text;
  EXPECT_NE(text.find("style_layer_weights: [0.1, 2.5]"), std::string::npos) << text;
  ScratchDir dir;
  write_text(dir / "resolved.yaml", text);
  const Config again = load_config(dir / "resolved.yaml", {});
  EXPECT_EQ(again.loss.disentangle, 0.05);
  EXPECT_EQ(again.loss.w2_eps, 1e-5);
  EXPECT_EQ(again.optim.lr, 0.1);
  EXPECT_EQ(again.loss.style_layer_weights, (std::vector<double>{0.1, 2.5}));
}

// Enum settings read and print by their YAML names; a wrong name is refused with the choices.
TEST(Config, EnumSettingsReadAndPrintTheirNames) {
  const Config config = config_from_overrides({"model.padding=zero", "optim.schedule=cosine", "train.on_nonfinite=skip",
                                               "loss.logvar_on=both", "model.content_encoder=shallow",
                                               "loss.content_target=content", "loss.network=resnet", "dist.backend=mpi"});
  EXPECT_EQ(config.model.padding, Padding::kZero);
  EXPECT_EQ(config.optim.schedule, Schedule::kCosine);
  EXPECT_EQ(config.train.on_nonfinite, OnNonfinite::kSkip);
  EXPECT_EQ(config.loss.logvar_on, LogvarOn::kBoth);
  EXPECT_EQ(config.model.content_encoder, ContentEncoder::kShallow);
  EXPECT_EQ(config.loss.content_target, ContentTarget::kContent);
  EXPECT_EQ(config.loss.network, LossNetwork::kResnet);
  EXPECT_EQ(config.dist.backend, DistBackend::kMpi);
  const std::string text = config_to_yaml(config);
  for (const char* line : {"padding: \"zero\"\n", "schedule: \"cosine\"\n", "backend: \"mpi\"\n", "network: \"resnet\"\n"})
    EXPECT_NE(text.find(line), std::string::npos) << line << text;
  EXPECT_NE(config_to_yaml(Config{}).find("padding: \"reflect\"\n"), std::string::npos);
  ScratchDir dir;
  write_text(dir / "c.yaml", "model:\n  padding: zeros\n");
  EXPECT_EQ(error_of(dir / "c.yaml"), (dir / "c.yaml").string() +
                                          ":2:12: model.padding: 'zeros' is not one of: reflect, zero (did you mean 'zero'?)");
}

TEST(ShippedConfigs, AllLoad) {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(VARSTYLE_SOURCE_DIR) / "configs")) {
    if (entry.path().extension() != ".yaml") continue;
    EXPECT_NO_THROW(load_config(entry.path(), {})) << entry.path();
    ++count;
  }
  EXPECT_GE(count, 5);
}

TEST(Config, RelationsBetweenKeysAreChecked) {
  std::string message;
  try {
    config_from_overrides({"loss.style_layer_weights=[1, 2]"});
  } catch (const ConfigError& e) {
    message = e.what();
  }
  EXPECT_NE(message.find("loss.style_layer_weights: has 2 weights for 4 style_layers"), std::string::npos) << message;
  message.clear();
  try {
    config_from_overrides({"loss.network=resnet"});
  } catch (const ConfigError& e) {
    message = e.what();
  }
  EXPECT_NE(message.find("loss.content_target"), std::string::npos) << message;
  // The AdaIN target lives at the encoder depth, and the decoder from relu2_1 has one later stage.
  const auto error_of = [](const std::vector<std::string>& overrides) {
    try {
      config_from_overrides(overrides);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  message = error_of({"model.encoder_depth=relu3_1"});
  EXPECT_NE(message.find("loss.content_target: 'adain' compares VGG relu3_1"), std::string::npos) << message;
  EXPECT_EQ(error_of({"model.encoder_depth=relu3_1", "loss.content_layers=[relu3_1]"}), "");
  message = error_of({"model.encoder_depth=relu2_1", "loss.content_layers=[relu2_1]", "model.adain_stages=3"});
  EXPECT_NE(message.find("model.adain_stages: is 3 but a decoder from relu2_1 has 1 later stage(s)"), std::string::npos) << message;
  message = error_of({"loss.network_weights=other.h5"});
  EXPECT_NE(message.find("with the encoder's weights"), std::string::npos) << message;
  // E_s reads VGG only up to relu3_1, and a tap listed twice would only repeat its statistics.
  message = error_of({"model.style_encoder_moments=[rgb, relu4_1]"});
  EXPECT_NE(message.find("model.style_encoder_moments: entry 1 'relu4_1' is not one of rgb"), std::string::npos) << message;
  message = error_of({"model.style_encoder_moments=[rgb, relu1_1, rgb]"});
  EXPECT_NE(message.find("model.style_encoder_moments: entry 2 'rgb' is listed twice"), std::string::npos) << message;
  EXPECT_EQ(error_of({"model.style_encoder_moments=[rgb, relu1_1, relu2_1, relu3_1]"}), "");
  // Only wae's and linear's decodes apply the colour transform: elsewhere the key would do nothing.
  message = error_of({"model.code_colour=true"});
  EXPECT_NE(message.find("model.code_colour: is true but only wae (its code) and linear"), std::string::npos) << message;
  message = error_of({"model.kind=adain", "model.code_colour=true"});
  EXPECT_NE(message.find("(kind is adain)"), std::string::npos) << message;
  EXPECT_EQ(error_of({"model.kind=linear", "loss.content_target=content", "model.code_colour=true"}), "");
  EXPECT_EQ(error_of({"model.kind=wae", "loss.content_target=content", "model.code_colour=true"}), "");
  message = error_of({"loss.style_layers=[rgb, relu1_1]", "loss.style_w2_layers=[relu2_1]"});
  EXPECT_NE(message.find("loss.style_w2_layers: entry 0 'relu2_1' is not one of loss.style_layers"), std::string::npos) << message;
  message = error_of({"loss.style_layers=[rgb, relu1_1]", "loss.style_w2_layers=[rgb, rgb]"});
  EXPECT_NE(message.find("loss.style_w2_layers: entry 1 'rgb' is listed twice"), std::string::npos) << message;
  EXPECT_EQ(error_of({"loss.style_layers=[rgb, relu1_1]", "loss.style_w2_layers=[rgb]"}), "");
}

}  // namespace
}  // namespace varstyle
