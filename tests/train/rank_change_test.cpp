// A resume on another number of ranks: the batch plan's rules (new runs, the kept global batch,
// refusals naming the numbers and the rank counts that work, batch-level terms), then end to end:
// a 2-rank run stopped at step k and resumed on 1 and on 4 ranks ends where the uninterrupted
// 2-rank run ends, the run folder records the change, and a kill -9 during the resumed run still
// resumes bit-exact.
#include <fstream>

#include <nlohmann/json.hpp>

#include "train/rank_change.h"
#include "train/training_fixture.h"

namespace varstyle {
namespace {

namespace fs = std::filesystem;
using testing::expect_same_weights;
using testing::run_command;
using testing::ScratchDir;
using testing::Training;

Config adain_config(int64_t batch) {
  Config config;
  config.model.kind = "adain";
  config.data.batch_size = batch;
  return config;
}

SavedRun saved_run(const Config& config, int ranks) {
  SavedRun saved;
  saved.step = 4;
  saved.ranks = ranks;
  saved.config = config;
  saved.config.data.global_batch = config.data.batch_size * ranks;
  saved.requested_batch = config.data.batch_size;
  return saved;
}

TEST(BatchPlan, ANewRunTakesBatchSizeTimesRanksOrTheGlobalBatch) {
  BatchPlan plan = plan_batch(adain_config(3), 2, std::nullopt, {});
  EXPECT_EQ(plan.problem, "");
  EXPECT_EQ(plan.global, 6);
  EXPECT_EQ(plan.per_rank, 3);
  Config global = adain_config(3);
  global.data.global_batch = 8;  // decides over batch_size
  plan = plan_batch(global, 4, std::nullopt, {});
  EXPECT_EQ(plan.per_rank, 2);
  plan = plan_batch(global, 3, std::nullopt, {});
  EXPECT_NE(plan.problem.find("data.global_batch 8 does not divide over 3 rank(s); run on 1, 2, 4, 8 rank(s)"),
            std::string::npos) << plan.problem;
}

TEST(BatchPlan, AResumeKeepsTheRunsGlobalBatchOnAnyRankCountThatDividesIt) {
  const Config config = adain_config(2);
  const SavedRun saved = saved_run(config, 2);
  for (int ranks : {1, 2, 4}) {
    const BatchPlan plan = plan_batch(config, ranks, saved, {});
    EXPECT_EQ(plan.problem, "") << ranks;
    EXPECT_EQ(plan.global, 4) << ranks;
    EXPECT_EQ(plan.per_rank, 4 / ranks) << ranks;
  }
  const BatchPlan three = plan_batch(config, 3, saved, {});
  EXPECT_NE(three.problem.find("the run's global batch 4 (2 per rank x 2 rank(s)) does not divide over 3 rank(s); "
                               "run on 1, 2, 4 rank(s)"),
            std::string::npos) << three.problem;
  // Another data.batch_size than the run's file gave asks for another global batch (the run
  // folder then refuses it unless --allow-change data.batch_size); so does data.global_batch.
  EXPECT_EQ(plan_batch(adain_config(3), 1, saved, {}).global, 3);
  SavedRun resumed_on_one = saved_run(adain_config(4), 1);  // config.yaml after a resume on 1 rank
  resumed_on_one.requested_batch = 2;
  EXPECT_EQ(plan_batch(config, 2, resumed_on_one, {}).per_rank, 2);
  Config other = config;
  other.data.global_batch = 2;
  EXPECT_EQ(plan_batch(other, 1, saved, {}).global, 2);
}

TEST(BatchPlan, BatchLevelTermsRefuseAnotherRankCountUnlessRanksIsAllowed) {
  Config vst;
  vst.model.kind = "vst";
  vst.data.batch_size = 2;
  vst.loss.disentangle = 0.05;
  vst.loss.kl = 0.01;
  vst.loss.kl_free_bits = 0.5;
  const SavedRun saved = saved_run(vst, 2);
  const BatchPlan refused = plan_batch(vst, 1, saved, {});
  EXPECT_NE(refused.problem.find("loss.disentangle"), std::string::npos) << refused.problem;
  EXPECT_NE(refused.problem.find("loss.kl with loss.kl_free_bits"), std::string::npos) << refused.problem;
  EXPECT_NE(refused.problem.find("--allow-change ranks"), std::string::npos) << refused.problem;
  EXPECT_EQ(plan_batch(vst, 1, saved, {kRanksKey}).problem, "");
  EXPECT_EQ(plan_batch(vst, 2, saved, {}).problem, "");  // the same rank count: nothing changes
  Config wae = vst;
  wae.model.kind = "wae";
  wae.loss.kl = 0;
  wae.loss.mmd = 1;
  EXPECT_NE(plan_batch(wae, 4, saved_run(wae, 2), {}).problem.find("loss.mmd"), std::string::npos);
  EXPECT_TRUE(batch_level_terms(adain_config(2)).empty());
}

// The checkpoints of `run` after `step` go, as if the run had been killed right after it.
void stop_after(const fs::path& run, int64_t step) {
  const CheckpointStore store(run / "checkpoints", nullptr);
  for (const auto& entry : fs::directory_iterator(run / "checkpoints"))
    if (entry.path().filename().string() > store.step_folder(step).filename().string()) fs::remove_all(entry.path());
}

double largest_difference(const std::map<std::string, at::Tensor>& a, const std::map<std::string, at::Tensor>& b) {
  double largest = 0;
  for (const auto& [name, tensor] : a) largest = std::max(largest, (tensor - b.at(name)).abs().max().item<double>());
  return largest;
}

TEST_F(Training, ResumeOnAnotherNumberOfRanksFollowsTheUninterruptedRun) {
  ScratchDir dir;
  // Adam with a large epsilon, as in TwoRanksEqualOneRankWithTheGlobalBatch: float reduction
  // order is then the only difference between the runs.
  const std::string settings =
      "optim.eps=1 optim.lr=0.5 dist.bucket_mb=0.01 train.steps=40 train.ckpt_every=4 train.keep_last=20";
  auto straight = run_command(train((dir / "straight").string(), settings, 2));
  ASSERT_EQ(straight.exit_code, 0) << straight.output;
  const auto reference = final_model(dir / "straight");

  for (int ranks : {1, 4}) {
    const fs::path run = dir / ("on" + std::to_string(ranks));
    fs::copy(dir / "straight", run, fs::copy_options::recursive);
    stop_after(run, 8);
    auto resumed = run_command(train(run.string(), settings + " --resume auto", ranks));
    ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
    EXPECT_NE(resumed.output.find("written by 2 rank(s), on " + std::to_string(ranks) + ": global batch 4, " +
                                  std::to_string(4 / ranks) + " per rank"),
              std::string::npos) << resumed.output;
    const double difference = largest_difference(reference, final_model(run));
    EXPECT_LE(difference, 1e-4) << ranks << " rank(s)";
    const std::string config = testing::read_text(run / "config.yaml");
    EXPECT_NE(config.find("batch_size: " + std::to_string(4 / ranks)), std::string::npos) << config;
    EXPECT_NE(config.find("global_batch: 4"), std::string::npos) << config;
    const std::string changes = testing::read_text(run / "config_changes.jsonl");
    EXPECT_NE(changes.find(R"("key":"ranks","before":"2","after":")" + std::to_string(ranks) + "\""), std::string::npos)
        << changes;
    EXPECT_NE(changes.find(R"("key":"data.batch_size","before":"2","after":")" + std::to_string(4 / ranks) + "\""),
              std::string::npos) << changes;
  }
  // The comparison has power: a resume that kept the per-rank batch (2 on 1 rank, a global batch
  // of 2) ends more than ten times the tolerance away.
  const fs::path halved = dir / "halved";
  fs::copy(dir / "straight", halved, fs::copy_options::recursive);
  stop_after(halved, 8);
  auto other = run_command(train(halved.string(), settings + " data.global_batch=2 --resume auto --allow-change data.global_batch"));
  ASSERT_EQ(other.exit_code, 0) << other.output;
  EXPECT_GT(largest_difference(reference, final_model(halved)), 1e-3);

  // A rank count the global batch does not divide over is refused before anything is written.
  const fs::path refused = dir / "on3";
  fs::copy(dir / "straight", refused, fs::copy_options::recursive);
  stop_after(refused, 8);
  auto three = run_command(train(refused.string(), settings + " --resume auto", 3));
  EXPECT_EQ(three.exit_code, 2) << three.output;
  EXPECT_NE(three.output.find("the run's global batch 4 (2 per rank x 2 rank(s)) does not divide over 3 rank(s); run on 1, 2, 4 rank(s)"),
            std::string::npos) << three.output;
  EXPECT_FALSE(fs::exists(refused / "config_changes.jsonl"));
  EXPECT_FALSE(fs::exists(CheckpointStore(refused / "checkpoints", nullptr).step_folder(12)));
}

TEST_F(Training, AKillNineDuringAResumeOnOtherRanksStillResumesBitExact) {
  ScratchDir dir;
  const std::string settings =
      "optim.eps=1 optim.lr=0.5 dist.bucket_mb=0.01 train.steps=400 train.ckpt_every=4 train.keep_last=2";
  auto written = run_command(train((dir / "two").string(), settings + " train.steps=8", 2));
  ASSERT_EQ(written.exit_code, 0) << written.output;
  // Both continue the 8-step run to 400 steps on 1 rank; one of them is killed on the way.
  const std::string longer = settings + " --resume auto --allow-change train.steps";
  fs::copy(dir / "two", dir / "straight", fs::copy_options::recursive);
  auto straight = run_command(train((dir / "straight").string(), longer));
  ASSERT_EQ(straight.exit_code, 0) << straight.output;

  fs::copy(dir / "two", dir / "killed", fs::copy_options::recursive);
  const pid_t pid = testing::spawn(train((dir / "killed").string(), longer), dir / "killed.log");
  ASSERT_TRUE(testing::wait_for(dir / "killed" / "checkpoints" / "step-0000020" / "DONE", 120))
      << testing::read_text(dir / "killed.log");
  kill(pid, SIGKILL);
  testing::wait_exit(pid);
  const auto latest = CheckpointStore(dir / "killed" / "checkpoints", nullptr).latest_complete();
  ASSERT_TRUE(latest.has_value());
  ASSERT_LT(*latest, 400) << "the run ended before the kill";
  auto resumed = run_command(train((dir / "killed").string(), longer));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  expect_same_weights(final_model(dir / "straight"), final_model(dir / "killed"), true);
  expect_same_weights(read_tensor_file(dir / "straight" / "checkpoints" / "step-0000400" / "optim.h5"),
                      read_tensor_file(dir / "killed" / "checkpoints" / "step-0000400" / "optim.h5"), true);
}

}  // namespace
}  // namespace varstyle
