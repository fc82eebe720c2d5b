// The evaluator: a metric of an image against itself is 0 (SSIM 1), Gram and W2 distances grow
// with a constructed mismatch, Gatys lowers its objective, grids have the expected layout, and
// eval on 2 ranks writes the same metrics.csv as on 1 (timings aside); bad input names the file.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "eval/gatys.h"
#include "eval/metrics.h"
#include "losses/style_losses.h"
#include "test_support.h"

namespace varstyle {
namespace {

namespace fs = std::filesystem;
using testing::run_command;
using testing::ScratchDir;

// Gatys' network at width 0.125, random weights drawn from seed 0, frozen.
std::shared_ptr<Vgg19> frozen_gatys_network() {
  at::manual_seed(0);
  auto network = std::make_shared<Vgg19>(Vgg19Options{0.125, Padding::kReflect, "relu5_1"});
  network->freeze();
  return network;
}

at::Tensor smooth_image(int64_t seed, int64_t size = 32) {
  at::manual_seed(static_cast<uint64_t>(seed));
  return at::avg_pool2d(at::rand({1, 3, size + 4, size + 4}), {5, 5}, {1, 1});
}

TEST(EvaluationMetrics, ZeroAgainstItselfAndGrowingWithMismatch) {
  EvaluationMetrics metrics("", 0.125);
  const at::Tensor image = smooth_image(1), other = smooth_image(2) * 0.5 + 0.5;
  auto self = metrics.compute(image, image, image);
  EXPECT_NEAR(self["gram_distance"], 0.0, 1e-9);
  EXPECT_NEAR(self["content_distance"], 0.0, 1e-12);
  EXPECT_NEAR(self["w2_distance"], 0.0, 1e-6);
  EXPECT_NEAR(self["moments_distance"], 0.0, 1e-9);
  EXPECT_NEAR(self["ssim"], 1.0, 1e-9);
  double previous_gram = 0, previous_w2 = 0;
  for (double t : {0.25, 0.5, 1.0}) {
    auto m = metrics.compute((1 - t) * image + t * other, image, image);
    EXPECT_GT(m["gram_distance"], previous_gram) << t;
    EXPECT_GT(m["w2_distance"], previous_w2) << t;
    EXPECT_LT(m["ssim"], 1.0);
    previous_gram = m["gram_distance"];
    previous_w2 = m["w2_distance"];
  }
}

TEST(Gatys, LowersItsObjective) {
  auto network = frozen_gatys_network();
  for (const char* optimiser : {"lbfgs", "adam"}) {
    EvalConfig config;
    config.gatys_steps = 20;
    config.gatys_optimizer = optimiser;
    config.gatys_lr = std::string(optimiser) == "adam" ? 0.02 : 1.0;
    Gatys gatys(network, config);
    std::vector<double> trace;
    at::Tensor result = gatys.stylize(smooth_image(3), smooth_image(4), &trace);
    ASSERT_EQ(trace.size(), 2u);
    EXPECT_LT(trace[1], 0.7 * trace[0]) << optimiser;
    EXPECT_GE(result.min().item<float>(), 0.0f);
  }
}

TEST(Gatys, LayerWeightsAreTheGatysOnesOverChannelsSquared) {
  // At the start the image is the content: the objective is the style term alone,
  // style_weight x sum_l (1 / C_l^2) ||G_l(content) - G_l(style)||^2 (Gatys et al.'s 1e3 / C^2
  // for a Gram normalised by positions; style_gram_loss also divides by C).
  auto network = frozen_gatys_network();
  EvalConfig config;
  config.gatys_steps = 1;
  config.gatys_optimizer = "adam";
  Gatys gatys(network, config);
  const at::Tensor content = smooth_image(5), style = smooth_image(6);
  std::vector<double> trace;
  gatys.stylize(content, style, &trace);
  const FeatureMap c = network->features(content, EvaluationMetrics::style_taps());
  const FeatureMap s = network->features(style, EvaluationMetrics::style_taps());
  double expected = 0;
  for (const auto& tap : EvaluationMetrics::style_taps()) {
    const double channels = static_cast<double>(c.at(tap).size(1));
    expected += style_gram_loss({{c.at(tap), s.at(tap), 1.0}}).item<double>() / (channels * channels);
  }
  ASSERT_FALSE(trace.empty());
  EXPECT_NEAR(trace[0], config.gatys_style_weight * expected, 1e-4 * trace[0]);
}

TEST(Gatys, ProfileCountsOneEvaluationPerIterationAndItsPhases) {
  // L-BFGS without a line search evaluates once per iteration (25 = a step of 20 and one of 5),
  // and the profile's phases are what the iterations spent: never more than the whole.
  auto network = frozen_gatys_network();
  EvalConfig config;
  config.gatys_steps = 25;
  Gatys gatys(network, config);
  GatysProfile profile;
  gatys.stylize(smooth_image(3), smooth_image(4), nullptr, &profile);
  EXPECT_EQ(profile.evaluations, 25);
  EXPECT_GT(profile.forward_seconds, 0.0);
  EXPECT_GT(profile.loss_seconds, 0.0);
  EXPECT_GT(profile.backward_seconds, 0.0);
  EXPECT_GT(profile.setup_seconds, 0.0);
  EXPECT_LE(profile.setup_seconds + profile.objective_seconds(), profile.total_seconds);
  // Without phases: setup and total only.
  GatysProfile timed;
  timed.phases = false;
  gatys.stylize(smooth_image(3), smooth_image(4), nullptr, &timed);
  EXPECT_EQ(timed.evaluations, 25);
  EXPECT_EQ(timed.objective_seconds(), 0.0);
  EXPECT_GT(timed.total_seconds, timed.setup_seconds);
}

TEST(Gatys, BenchReportsIterationsAgainstTheNetworksForwardBackward) {
  const auto result = run_command(std::string(VARSTYLE_BINARY) + " bench stylize --config " + VARSTYLE_SOURCE_DIR +
                                  "/configs/eval.yaml --method gatys --size 32 --iterations 3 --threads 1 --device cpu "
                                  "eval.network_width=0.125 2>/dev/null");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const auto line = nlohmann::json::parse(result.output.substr(result.output.find('{')));
  EXPECT_EQ(line.at("method"), "gatys");
  EXPECT_EQ(line.at("iterations"), 3);
  EXPECT_EQ(line.at("evaluations"), 3);
  for (const char* key : {"ms_per_iteration", "ms_forward_per_evaluation", "ms_backward_per_evaluation",
                          "ms_forward_backward", "iteration_over_forward_backward"})
    EXPECT_GT(line.at(key).get<double>(), 0.0) << key;
  EXPECT_GE(line.at("ms_loss_per_evaluation").get<double>(), 0.0);
  // The ratio is of the unrounded times; the milliseconds are rounded to 0.1.
  const double ratio = line.at("iteration_over_forward_backward").get<double>();
  const double reference = line.at("ms_forward_backward").get<double>();
  EXPECT_NEAR(ratio, line.at("ms_per_iteration").get<double>() / reference, 0.001 + 0.05 * (1 + ratio) / reference);
}

std::vector<std::vector<std::string>> read_csv_without(const fs::path& path, const std::string& dropped) {
  std::ifstream in(path);
  std::vector<std::vector<std::string>> rows;
  size_t drop = std::string::npos;
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> cells;
    std::stringstream parts(line);
    for (std::string cell; std::getline(parts, cell, ',');) cells.push_back(cell);
    if (rows.empty()) drop = std::find(cells.begin(), cells.end(), dropped) - cells.begin();
    if (drop < cells.size()) cells.erase(cells.begin() + static_cast<long>(drop));
    rows.push_back(cells);
  }
  return rows;
}

TEST(Evaluator, SameMetricsOnOneAndTwoRanksWithFiguresAndReport) {
  ScratchDir dir;
  // Style: a varstyle-prep output; content: a plain folder of images.
  ASSERT_EQ(run_command(std::string(VARSTYLE_PREP_BINARY) + " synthetic --no-progress --kind style --count 6 --size 24 --output " +
                        (dir / "style").string()).exit_code, 0);
  ASSERT_EQ(run_command(std::string(VARSTYLE_PREP_BINARY) + " synthetic --no-progress --kind content --count 8 --size 24 --output " +
                        (dir / "content-shards").string()).exit_code, 0);
  fs::create_directories(dir / "content");
  for (int i = 0; i < 3; ++i) {
    cv::Mat image(30 + i, 26, CV_8UC3, cv::Scalar(40 * i, 100, 200 - 30 * i));
    ASSERT_TRUE(cv::imwrite((dir / "content" / ("photo" + std::to_string(i) + ".png")).string(), image));
  }
  const std::string data = " data.content=" + (dir / "content-shards").string() + " data.style=" + (dir / "style").string();
  auto trained = run_command(std::string(VARSTYLE_BINARY) + " train --config " + VARSTYLE_SOURCE_DIR + "/configs/demo.yaml --run-dir " +
                             (dir / "vst").string() + data + " data.size=16 model.width=0.0625 train.steps=2 train.grid_size=0");
  ASSERT_EQ(trained.exit_code, 0) << trained.output;
  const std::string eval = std::string(VARSTYLE_BINARY) + " eval --config " + VARSTYLE_SOURCE_DIR + "/configs/eval.yaml" +
                           " eval.content=" + (dir / "content").string() + " eval.style=" + (dir / "style").string() +
                           " eval.size=32 eval.contents=3 eval.styles=2 eval.network_width=0.125 eval.gatys_steps=3 eval.timing_repeats=1" +
                           " eval.threads=1" +  // the same float sums on 1 and 2 ranks
                           " 'eval.methods=[\"model:" + (dir / "vst").string() + "\", gatys, identity]'";
  auto one = run_command(eval + " --out " + (dir / "one").string());
  ASSERT_EQ(one.exit_code, 0) << one.output;
  auto two = run_command("mpirun --allow-run-as-root --oversubscribe -np 2 " + eval + " --out " + (dir / "two").string());
  ASSERT_EQ(two.exit_code, 0) << two.output;
  const auto rows = read_csv_without(dir / "one" / "metrics.csv", "ms_per_image");
  EXPECT_EQ(rows.size(), 1u + 3 * 3 * 2);  // header + methods x contents x styles
  EXPECT_EQ(rows, read_csv_without(dir / "two" / "metrics.csv", "ms_per_image"));
  EXPECT_EQ(rows[0][0], "method");
  EXPECT_EQ(rows[1][0], "model");

  for (const char* file : {"summary.csv", "summary.md", "report.html", "config.yaml", "comparison.png", "alpha.png",
                           "interpolation.png", "sampling.png", "grid-model.png", "grid-gatys.png", "grid-identity.png"})
    EXPECT_TRUE(fs::exists(dir / "one" / file)) << file;
  // grid: a label margin of 96 x 18 pixels, then (styles + 1) x (contents + 1) cells of 32 + 4.
  {  // No pair failed: every data line ends with an empty error column.
    std::ifstream csv(dir / "one" / "metrics.csv");
    std::string line;
    std::getline(csv, line);
    while (std::getline(csv, line)) EXPECT_EQ(line.back(), ',') << line;
  }
  {  // Active dimensions are counted over the code's learnt part: the demo config's code is
     // latent_dim 16 followed by 16 spectrum dimensions, which vary over any style set.
    const std::string summary = testing::read_text(dir / "one" / "summary.csv");
    EXPECT_NE(summary.find("\nmodel,latent_dim,16,"), std::string::npos) << summary;
  }
  cv::Mat grid = cv::imread((dir / "one" / "grid-gatys.png").string());
  EXPECT_EQ(grid.cols, 96 + 3 * 36);
  EXPECT_EQ(grid.rows, 18 + 4 * 36);
  const std::string report = testing::read_text(dir / "one" / "report.html");
  EXPECT_NE(report.find("<img src=\"grid-model.png\""), std::string::npos);
  EXPECT_NE(report.find("random weights"), std::string::npos);  // the evaluation network is named

  // An output folder that cannot be created: an error naming it.
  testing::write_text(dir / "blocker", "a file where a folder should go");
  auto unwritable = run_command(eval + " --out " + (dir / "blocker" / "out").string());
  EXPECT_EQ(unwritable.exit_code, 1) << unwritable.output;
  EXPECT_NE(unwritable.output.find("blocker/out: cannot create the output folder"), std::string::npos) << unwritable.output;

  // A NAME that is another kind's name: refused before anything is written.
  auto mislabelled = run_command(std::string(VARSTYLE_BINARY) + " eval --config " + VARSTYLE_SOURCE_DIR + "/configs/eval.yaml" +
                                 " eval.content=" + (dir / "content").string() + " eval.style=" + (dir / "style").string() +
                                 " 'eval.methods=[\"wae:" + (dir / "vst").string() + "\", identity]' --out " +
                                 (dir / "mislabelled").string());
  EXPECT_EQ(mislabelled.exit_code, 2) << mislabelled.output;
  EXPECT_NE(mislabelled.output.find("is named wae but its checkpoint holds a vst model"), std::string::npos)
      << mislabelled.output;
  EXPECT_FALSE(fs::exists(dir / "mislabelled"));

  // An unreadable image: an error naming it, nothing written.
  testing::write_text(dir / "content" / "a-broken.png", "not an image");
  auto broken = run_command(eval + " --out " + (dir / "broken").string());
  EXPECT_EQ(broken.exit_code, 1) << broken.output;
  EXPECT_NE(broken.output.find("a-broken.png: cannot read image"), std::string::npos) << broken.output;
  EXPECT_FALSE(fs::exists(dir / "broken"));
}

}  // namespace
}  // namespace varstyle
