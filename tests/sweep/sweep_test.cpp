// Sweeps: spec errors name the file and line, grid expansion is the full product in order,
// random draws are deterministic and in range, values with shell metacharacters arrive
// literally, and a local sweep trains, evaluates and collects a ranked table with plots.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#include <fmt/format.h>

#include "core/error.h"
#include "eval/summary.h"
#include "sweep/sweep_runner.h"
#include "sweep/sweep_spec.h"
#include "test_support.h"

namespace varstyle {
namespace {

namespace fs = std::filesystem;
using testing::run_command;
using testing::ScratchDir;
using testing::write_text;

TEST(SweepSpec, GridIsTheFullProductInOrder) {
  ScratchDir dir;
  write_text(dir / "s.yaml", "config: c.yaml\neval: e.yaml\nkeys:\n  loss.tv: [1, 2, 3]\n  model.padding: [reflect, zero]\n");
  const auto tasks = expand(SweepSpec::load(dir / "s.yaml"));
  ASSERT_EQ(tasks.size(), 6u);
  EXPECT_EQ(tasks[0].overrides(), (std::vector<std::string>{"loss.tv=1", "model.padding=reflect"}));
  EXPECT_EQ(tasks[1].overrides(), (std::vector<std::string>{"loss.tv=1", "model.padding=zero"}));
  EXPECT_EQ(tasks[5].overrides(), (std::vector<std::string>{"loss.tv=3", "model.padding=zero"}));
}

TEST(SweepSpec, RandomDrawsAreDeterministicAndInRange) {
  ScratchDir dir;
  write_text(dir / "s.yaml", "config: c.yaml\neval: e.yaml\nmode: random\nsamples: 50\nseed: 3\nkeys:\n"
                             "  optim.lr: {log_uniform: [0.001, 0.1]}\n  loss.tv: {uniform: [2, 4]}\n  model.padding: {choice: [reflect, zero]}\n");
  const auto spec = SweepSpec::load(dir / "s.yaml");
  const auto tasks = expand(spec);
  ASSERT_EQ(tasks.size(), 50u);
  std::set<std::string> choices;
  for (const auto& task : tasks) {
    const double lr = std::stod(task.values[0].second), w = std::stod(task.values[1].second);
    EXPECT_GE(lr, 0.001);
    EXPECT_LE(lr, 0.1);
    EXPECT_GE(w, 2.0);
    EXPECT_LE(w, 4.0);
    choices.insert(task.values[2].second);
  }
  EXPECT_EQ(choices.size(), 2u);
  EXPECT_EQ(expand(spec)[7].overrides(), tasks[7].overrides());
}

TEST(SweepSpec, BadSpecsNameFileAndLine) {
  ScratchDir dir;
  write_text(dir / "a.yaml", "config: c.yaml\neval: e.yaml\nmood: grid\nkeys: {loss.tv: [1]}\n");
  try {
    SweepSpec::load(dir / "a.yaml");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("a.yaml:3:1: mood: unknown key (did you mean 'mode'?)"), std::string::npos) << e.what();
  }
  write_text(dir / "b.yaml", "config: c.yaml\neval: e.yaml\nkeys:\n  loss.tv: {normal: [0, 1]}\n");
  EXPECT_THROW(SweepSpec::load(dir / "b.yaml"), ConfigError);
  write_text(dir / "c.yaml", "config: c.yaml\neval: e.yaml\nkeys:\n  loss.tv: {uniform: [0, 1]}\n");  // grid needs values
  EXPECT_THROW(SweepSpec::load(dir / "c.yaml"), ConfigError);
}

// Each hostile spec is refused at load (so by --dry-run), naming the file, line and key, with no
// yaml-cpp text and no allocation of the tasks.
TEST(SweepSpec, HostileSpecsAreRefusedAtLoad) {
  ScratchDir dir;
  auto error_of = [&](const std::string& body) {
    write_text(dir / "s.yaml", "config: c.yaml\neval: e.yaml\n" + body);
    try {
      SweepSpec::load(dir / "s.yaml");
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("(accepted)");
  };
  const std::string file = (dir / "s.yaml").string();
  EXPECT_EQ(error_of("keys:\n  loss.tv: [{a: 1}]\n"), file + ":4:13: loss.tv[0]: expected a value or a list, got a map");
  EXPECT_EQ(error_of("keys:\n  loss.tv: {a: 1, b: 2}\n"),
            file + ":4:12: loss.tv: expected a list of values or {uniform|log_uniform|choice: ...}, got a map");
  EXPECT_EQ(error_of("keys:\n  loss.bogus: [1]\n"), file + ":4:3: keys: 'loss.bogus' is not a config key");
  EXPECT_EQ(error_of("keys:\n  loss.tvv: [1]\n"), file + ":4:3: keys: 'loss.tvv' is not a config key (did you mean 'loss.tv'?)");
  EXPECT_EQ(error_of("overrides: [loss.bogus=1]\nkeys:\n  loss.tv: [1]\n"),
            file + ":3:13: overrides[0]: 'loss.bogus' is not a config key");
  EXPECT_EQ(error_of("mode: random\nkeys:\n  loss.tv: {choice: []}\n"), file + ":5:21: loss.tv: choice: needs at least one value");
  EXPECT_EQ(error_of("mode: random\nkeys:\n  loss.tv: {uniform: [1, .nan]}\n"),
            file + ":5:26: loss.tv: uniform high: expected a finite number, got '.nan'");
  EXPECT_EQ(error_of("name: ../../escape\nkeys:\n  loss.tv: [1]\n"), file + ":3:7: name: '../../escape' is a path; it must be one plain name");
  EXPECT_EQ(error_of("method: 'a\"b'\nkeys:\n  loss.tv: [1]\n"),
            file + ":3:9: method: 'a\"b' may hold only letters, digits and _ . + - (it names output folders and files)");
  EXPECT_EQ(error_of("samples: lots\nkeys:\n  loss.tv: [1]\n"), file + ":3:10: samples: expected an integer, got 'lots'");
  EXPECT_EQ(error_of("mode: random\nsamples: 10001\nkeys:\n  loss.tv: [1]\n"), file + ":4:10: samples: 10001 is out of range [1, 10000]");
  EXPECT_EQ(error_of("keys:\n  loss.tv: [1]\n  loss.tv: [2]\n"), file + ":5:3: keys.loss.tv: duplicate key (first at line 4); keep one of them");
  EXPECT_EQ(error_of("keys:\n  [loss.tv]: [1]\n"), file + ":4:3: keys.?: a key must be a plain name, not a list");
  std::string grid = "keys:\n";
  for (const char* key : {"loss.tv", "loss.kl", "loss.mmd", "loss.range", "loss.content", "loss.style_gram", "loss.style_w2",
                          "loss.logvar", "loss.disentangle", "loss.style_moments"})
    grid += std::string("  ") + key + ": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]\n";
  EXPECT_NE(error_of(grid).find("more than the limit of 10000"), std::string::npos);
  write_text(dir / "plain.yaml", "a plain string\n");
  try {
    SweepSpec::load(dir / "plain.yaml");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), (dir / "plain.yaml").string() +
                                         ":1:1: expected a map of keys (name, config, eval, keys, ...), got 'a plain string'");
  }
}

TEST(SweepSpec, ListValuesBecomeYamlFlowText) {
  ScratchDir dir;
  write_text(dir / "s.yaml", "config: c.yaml\neval: e.yaml\nkeys:\n  loss.style_layers: [[relu1_1, relu2_1], [rgb]]\n");
  const auto tasks = expand(SweepSpec::load(dir / "s.yaml"));
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_EQ(tasks[0].overrides(), std::vector<std::string>{"loss.style_layers=[relu1_1, relu2_1]"});
  EXPECT_EQ(tasks[1].overrides(), std::vector<std::string>{"loss.style_layers=[rgb]"});
}

// A task's summary.json reads back as written (a missing value stays missing), and the sweep ranks
// by it: a method name that CSV would have to quote arrives intact.
TEST(Sweep, CollectRanksTheTasksBySummaryJson) {
  ScratchDir dir;
  SweepSpec spec;
  spec.name = "quoted";
  spec.method = "m,\"q\"";
  SweepKey key;
  key.key = "loss.tv";
  key.values = {"1", "2", "3"};
  spec.keys = {key};
  const auto tasks = expand(spec);
  write_sweep(dir.path(), spec, tasks);
  const std::vector<double> gram = {2.0, 0.5, 1.0};
  for (size_t i = 0; i < 2; ++i) {  // task 2 never finished its evaluation
    std::vector<MetricRow> rows;
    for (int p = 0; p < 2; ++p)
      rows.push_back({spec.method, "c", "s", "", p, {{"structure", 0.6}, {"gram_distance", gram[i] + 0.1 * p}}, {}});
    const EvalSummary summary = summarize(rows, {{spec.method, false, false, {{"style_sensitivity", 0.4}}}}, "net");
    const fs::path eval = dir / fmt::format("task-{:04d}", i) / "eval";
    fs::create_directories(eval);
    write_summaries(eval, summary);
    const EvalSummary back = read_summary_json(eval / "summary.json");
    EXPECT_EQ(back.network, "net");
    EXPECT_EQ(back.columns, summary.columns);
    ASSERT_EQ(back.methods.size(), 1u);
    EXPECT_EQ(back.methods[0].method, spec.method);
    EXPECT_EQ(back.methods[0].floor_failures, summary.methods[0].floor_failures);
    EXPECT_DOUBLE_EQ(back.methods[0].columns.at("gram_distance").mean, gram[i] + 0.05);
    EXPECT_EQ(back.methods[0].columns.at("gram_distance").count, 2);
    EXPECT_TRUE(std::isnan(back.methods[0].columns.at("ssim").mean));  // never measured
    EXPECT_DOUBLE_EQ(back.methods[0].columns.at("style_sensitivity").mean, 0.4);
  }
  const std::string table = collect_sweep(dir.path());
  EXPECT_NE(table.find("ranked by gram_distance of `m,\"q\"`"), std::string::npos) << table;
  const std::string results = testing::read_text(dir / "results.csv");
  std::istringstream lines(results);
  std::vector<std::string> rows;
  for (std::string line; std::getline(lines, line);) rows.push_back(line);
  ASSERT_EQ(rows.size(), 4u) << results;
  EXPECT_EQ(rows[1].rfind("1,1,\"2\",0,0.6,", 0), 0u) << rows[1];  // rank, task, loss.tv, floors_passed, structure
  EXPECT_EQ(rows[2].rfind("2,0,\"1\",0,0.6,", 0), 0u) << rows[2];
  const auto metric_count = static_cast<size_t>(std::count(rows[0].begin(), rows[0].end(), ',') - 3);
  EXPECT_EQ(rows[3], "-,2,\"3\"" + std::string(metric_count, ',') + ",failed (see task-0002)");
}

TEST(Sweep, LocalRunCollectsARankedTableAndValuesStayLiteral) {
  ScratchDir dir;
  for (const char* kind : {"content", "style"})
    ASSERT_EQ(run_command(std::string(VARSTYLE_PREP_BINARY) + " synthetic --no-progress --kind " + kind +
                          " --count 12 --size 20 --output " + (dir / kind).string()).exit_code, 0);
  const std::string source = VARSTYLE_SOURCE_DIR;
  write_text(dir / "sweep.yaml",
             "name: tiny\nconfig: " + source + "/configs/demo.yaml\neval: " + source + "/configs/eval.yaml\nmethod: m\n"
             "overrides: [data.content=" + (dir / "content").string() + ", data.style=" + (dir / "style").string() +
             ", data.size=16, model.kind=adain, model.width=0.0625, train.steps=2, train.grid_size=0]\n"
             "eval_overrides: [eval.content=" + (dir / "content").string() + ", eval.style=" + (dir / "style").string() +
             ", eval.size=32, eval.contents=1, eval.styles=1, eval.network_width=0.0625, eval.gatys_steps=1]\n"
             "keys:\n  optim.lr: ['0.001', '0.01']\n  train.seed: ['1', '$(touch " + (dir / "pwned").string() + ")']\n");
  auto dry = run_command(std::string(VARSTYLE_BINARY) + " sweep --spec " + (dir / "sweep.yaml").string() + " --dry-run");
  ASSERT_EQ(dry.exit_code, 0) << dry.output;
  EXPECT_NE(dry.output.find("train.seed=$(touch"), std::string::npos) << dry.output;
  EXPECT_NE(dry.output.find("4 task(s)"), std::string::npos) << dry.output;

  // A sweep folder whose path YAML would misread (quote, comma, bracket) if eval.methods were
  // pasted together as text: the successful tasks must still evaluate.
  const fs::path out = dir / "out \"q\", [x]";
  auto local = run_command(std::string(VARSTYLE_BINARY) + " sweep --spec " + (dir / "sweep.yaml").string() +
                           " --local --dir '" + out.string() + "'");
  EXPECT_EQ(local.exit_code, 1) << local.output;  // the two tasks with the literal value fail
  EXPECT_FALSE(fs::exists(dir / "pwned"));
  EXPECT_NE(local.output.find("train.seed: expected an integer, got '$(touch"), std::string::npos) << local.output;
  const std::string results = testing::read_text(out / "results.csv");
  std::istringstream lines(results);
  std::vector<std::string> rows;
  for (std::string line; std::getline(lines, line);) rows.push_back(line);
  ASSERT_EQ(rows.size(), 5u) << results;
  // Whether each task's method passes the quality floors, then the image-space measures first.
  EXPECT_EQ(rows[0].rfind("rank,task,optim.lr,train.seed,floors_passed,structure,colour,texture,gram_distance", 0), 0u) << rows[0];
  EXPECT_EQ(rows[1].rfind("1,", 0), 0u) << rows[1];
  EXPECT_EQ(rows[2].rfind("2,", 0), 0u) << rows[2];
  EXPECT_NE(rows[3].find("failed"), std::string::npos) << rows[3];
  EXPECT_TRUE(fs::exists(out / "plot-optim.lr.png"));
  EXPECT_TRUE(fs::exists(out / "results.md"));
}

}  // namespace
}  // namespace varstyle
