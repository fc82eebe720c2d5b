// varstyle train end to end, as users launch it: 1 rank with batch 2B equals 2 ranks with batch B
// (adain, vst, and with accumulation), bit-exact resume after kill -9, torn checkpoints ignored,
// SIGTERM -> checkpoint + exit 75, a rank that fails ends the job naming it, mismatched configs
// are an error, non-finite losses abort or skip, metrics and timelines are written, train.bf16 on
// the CPU trains with W2 and stylize --bf16 comes close to fp32.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/h5.h"
#include "core/hash.h"
#include "data/manifest.h"
#include "data/sharded_sampler.h"
#include "train/training_augment.h"
#include "train/training_fixture.h"

namespace varstyle {
namespace {

namespace fs = std::filesystem;
using testing::expect_same_weights;
using testing::kMpirun;
using testing::kVarstyle;
using testing::run_command;
using testing::ScratchDir;
using testing::spawn;
using testing::Training;
using testing::wait_exit;
using testing::wait_for;

TEST(TrainingAugment, OnlyStylesAreShownGreySoftOrTurned) {
  DataConfig data;
  data.size = 48;
  data.random_crop = false;
  data.hflip = true;
  data.style_grey = 0.25;
  data.style_soft = 0.5;
  data.style_soft_floor = 0.3;
  data.style_hue = 0.75;
  const AugmentOptions content = training_augment(data, TrainingImages::kContent);
  const AugmentOptions style = training_augment(data, TrainingImages::kStyle);
  for (const AugmentOptions& options : {content, style}) {
    EXPECT_EQ(options.crop, 48);
    EXPECT_FALSE(options.random_crop);
    EXPECT_TRUE(options.hflip);
  }
  EXPECT_EQ(content.grey, 0.0);
  EXPECT_EQ(content.soft, 0.0);
  EXPECT_EQ(style.grey, 0.25);
  EXPECT_EQ(style.soft, 0.5);
  EXPECT_EQ(style.soft_floor, 0.3);
  EXPECT_EQ(content.hue, 0.0);
  EXPECT_EQ(style.hue, 0.75);
}

TEST_F(Training, TwoRanksEqualOneRankWithTheGlobalBatch) {
  ScratchDir dir;
  // Adam's first steps move every weight by about +-lr whatever the gradient's size, so float
  // noise in a near-zero gradient would show as an lr-sized difference. A large epsilon makes
  // each update proportional to its gradient, so the comparison sees the gradients themselves.
  const std::string adam = " optim.eps=1 optim.lr=0.5";
  struct Case {
    std::string name, one, two;
  };
  const std::vector<Case> cases = {
      {"adain", "data.batch_size=4", "data.batch_size=2"},
      {"vst", "model.kind=vst loss.kl=0.01 loss.style_gram=1 data.batch_size=4", "model.kind=vst loss.kl=0.01 loss.style_gram=1 data.batch_size=2"},
      {"accumulate", "data.batch_size=4", "data.batch_size=1 train.accumulate=2"},
  };
  for (const auto& c : cases) {
    auto one = run_command(train((dir / (c.name + "-1")).string(), c.one + adam));
    ASSERT_EQ(one.exit_code, 0) << c.name << ": " << one.output;
    auto two = run_command(train((dir / (c.name + "-2")).string(), c.two + adam + " dist.bucket_mb=0.01", 2));
    ASSERT_EQ(two.exit_code, 0) << c.name << ": " << two.output;
    SCOPED_TRACE(c.name);
    const auto a = final_model(dir / (c.name + "-1"));
    const auto b = final_model(dir / (c.name + "-2"));
    expect_same_weights(a, b, false);
  }
  // The comparison has power: other data (another seed) moves the weights well beyond tolerance.
  auto other = run_command(train((dir / "other").string(), "data.batch_size=2 train.seed=6" + adam + " dist.bucket_mb=0.01", 2));
  ASSERT_EQ(other.exit_code, 0) << other.output;
  const auto reference = final_model(dir / "adain-1");
  const auto moved = final_model(dir / "other");
  EXPECT_GT((reference.at("decoder.dec1_1.weight") - moved.at("decoder.dec1_1.weight")).abs().max().item<double>(), 1e-2);
}

TEST_F(Training, ResumeAfterKillNineIsBitExactAndIgnoresTornCheckpoints) {
  ScratchDir dir;
  const std::string settings = "model.kind=vst loss.kl=0.01 loss.style_gram=1 train.steps=60 train.ckpt_every=4 train.keep_last=2";
  auto straight = run_command(train((dir / "straight").string(), settings));
  ASSERT_EQ(straight.exit_code, 0) << straight.output;

  const pid_t pid = spawn(train((dir / "killed").string(), settings), dir / "killed.log");
  ASSERT_TRUE(wait_for(dir / "killed" / "checkpoints" / "step-0000008" / "DONE", 60)) << testing::read_text(dir / "killed.log");
  kill(pid, SIGKILL);
  wait_exit(pid);
  // A checkpoint torn by a crash: newer than every complete one, but without DONE.
  fs::create_directories(dir / "killed" / "checkpoints" / "step-0000059");
  testing::write_text(dir / "killed" / "checkpoints" / "step-0000059" / "model.h5", "torn");

  auto resumed = run_command(train((dir / "killed").string(), settings + " --resume auto"));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("ignoring incomplete checkpoint"), std::string::npos) << resumed.output;
  EXPECT_NE(resumed.output.find("resumed from"), std::string::npos) << resumed.output;
  expect_same_weights(final_model(dir / "straight"), final_model(dir / "killed"), true);
  // Optimiser state too, and the metrics log has one line per step, none duplicated.
  expect_same_weights(read_tensor_file(dir / "straight" / "checkpoints" / "step-0000060" / "optim.h5"),
                      read_tensor_file(dir / "killed" / "checkpoints" / "step-0000060" / "optim.h5"), true);
  std::ifstream metrics(dir / "killed" / "metrics.jsonl");
  int lines = 0;
  for (std::string line; std::getline(metrics, line);) ++lines;
  EXPECT_EQ(lines, 60);
  // keep_last = 2 complete checkpoints remain.
  int kept = 0;
  for (const auto& entry : fs::directory_iterator(dir / "killed" / "checkpoints")) kept += fs::exists(entry.path() / "DONE");
  EXPECT_EQ(kept, 2);
}

TEST_F(Training, SigtermCheckpointsAndExitsWithTheRequeueCode) {
  ScratchDir dir;
  const std::string settings = "train.steps=100000 train.ckpt_every=5";
  const pid_t pid = spawn(train((dir / "run").string(), settings), dir / "run.log");
  ASSERT_TRUE(wait_for(dir / "run" / "checkpoints" / "step-0000005" / "DONE", 60)) << testing::read_text(dir / "run.log");
  kill(pid, SIGTERM);
  EXPECT_EQ(wait_exit(pid), 75) << testing::read_text(dir / "run.log");
  CheckpointStore store(dir / "run" / "checkpoints", nullptr);
  const auto latest = store.latest_complete();
  ASSERT_TRUE(latest.has_value());
  // A signal seen right after the checkpoint at step 5 stops there, without writing it twice.
  EXPECT_GE(*latest, 5);
  // The newest checkpoint is the one written at the step where the signal was seen.
  EXPECT_NE(testing::read_text(dir / "run.log").find("stop signal: checkpointing at step " + std::to_string(*latest) + " "),
            std::string::npos) << testing::read_text(dir / "run.log");
  auto resumed = run_command(train((dir / "run").string(), "train.steps=" + std::to_string(*latest + 2) + " --resume auto --allow-change train.steps"));
  EXPECT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_TRUE(fs::exists(store.step_folder(*latest + 2) / "DONE"));
}

TEST_F(Training, AFailingRankEndsTheJobNamingIt) {
  ScratchDir dir;
  // Copy the content data and corrupt exactly the images rank 1 reads at step 2.
  fs::copy(data_->path() / "content", dir / "content");
  ShardedSampler sampler(24, mix_keys(5, 1), /*rank=*/1, /*world_size=*/2, /*batch_size=*/2);
  std::vector<SampleKey> batch;
  for (int step = 0; step < 3; ++step) batch = sampler.next_batch();
  for (const auto& key : batch) {
    const fs::path shard = dir / "content" / shard_file_name(key.index / 10);
    h5::silence_error_printing();
    h5::Handle file(H5Fopen(shard.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose);
    h5::Handle images = h5::open_dataset(file.get(), "images");
    h5::Handle space(H5Dget_space(images.get()), H5Sclose);
    hsize_t start[4] = {static_cast<hsize_t>(key.index % 10), 0, 0, 0}, count[4] = {1, 20, 20, 3};
    H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr);
    h5::Handle memory(H5Screate_simple(4, count, nullptr), H5Sclose);
    std::vector<uint8_t> garbage(20 * 20 * 3, 7);
    H5Dwrite(images.get(), H5T_NATIVE_UINT8, memory.get(), space.get(), H5P_DEFAULT, garbage.data());
  }
  const auto start = std::chrono::steady_clock::now();
  auto result = run_command(train((dir / "run").string(), "data.content=" + (dir / "content").string() + " train.steps=20", 2));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_NE(result.exit_code, 0) << result.output;
  EXPECT_LT(seconds, 30.0);
  EXPECT_NE(result.output.find("error on rank 1/2"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("checksum"), std::string::npos) << result.output;
}

TEST_F(Training, MismatchedConfigsAreAnErrorNotAHang) {
  ScratchDir dir;
  const std::string base = kVarstyle + " train --config " + (*data_ / "tiny.yaml").string() + " --run-dir " + (dir / "run").string();
  auto result = run_command(kMpirun + "-np 1 " + base + " optim.lr=0.001 : -np 1 " + base + " optim.lr=0.002");
  EXPECT_NE(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("rank 1 was started with a different configuration than rank 0: it has 'optim.lr: 0.002'"),
            std::string::npos) << result.output;
}

TEST_F(Training, NonFiniteLossAbortsOrSkips) {
  ScratchDir dir;
  const std::string explode = "model.kind=vst loss.style_gram=50 optim.lr=10 optim.schedule=constant train.steps=6";
  auto aborted = run_command(train((dir / "abort").string(), explode));
  EXPECT_EQ(aborted.exit_code, 1) << aborted.output;
  EXPECT_NE(aborted.output.find("non-finite loss at step"), std::string::npos) << aborted.output;
  auto skipped = run_command(train((dir / "skip").string(), explode + " train.on_nonfinite=skip"));
  EXPECT_EQ(skipped.exit_code, 0) << skipped.output;
  EXPECT_NE(skipped.output.find("step skipped"), std::string::npos) << skipped.output;
}

// The "host_reads" of each metrics row: every read of a device value by the host in the loop
// goes through host_read (train/host_reads.h). Loss terms and the non-finite check stay on the
// device, so a row costs the same few reads however many steps it covers.
std::vector<int64_t> host_reads_per_row(const fs::path& run) {
  std::vector<int64_t> reads;
  std::ifstream metrics(run / "metrics.jsonl");
  for (std::string line; std::getline(metrics, line);) reads.push_back(nlohmann::json::parse(line).at("host_reads").get<int64_t>());
  return reads;
}

TEST_F(Training, HostReadsPerMetricsRowDoNotGrowWithLogEvery) {
  ScratchDir dir;
  const std::string settings = "model.kind=vst loss.kl=0.01 train.steps=40 train.ckpt_every=1000 ";
  auto every5 = run_command(train((dir / "every5").string(), settings + "train.log_every=5", 2));
  ASSERT_EQ(every5.exit_code, 0) << every5.output;
  auto every20 = run_command(train((dir / "every20").string(), settings + "train.log_every=20", 2));
  ASSERT_EQ(every20.exit_code, 0) << every20.output;
  const auto five = host_reads_per_row(dir / "every5"), twenty = host_reads_per_row(dir / "every20");
  ASSERT_EQ(five.size(), 8u);
  ASSERT_EQ(twenty.size(), 2u);
  for (int64_t reads : twenty) EXPECT_LE(reads, 3);
  EXPECT_GT(twenty.front(), 0) << "the row's own read is counted";
  EXPECT_EQ(*std::max_element(twenty.begin(), twenty.end()), *std::max_element(five.begin(), five.end()));
}

TEST_F(Training, TimeSplitCanBeTurnedOff) {
  // train.time_split: false drops the split from metrics.jsonl and from the progress line (on
  // CUDA it also stops the waits at phase edges); the default logs it.
  ScratchDir dir;
  auto split = run_command(train((dir / "split").string(), "train.grid_size=0 train.log_every=2 train.steps=2", 1));
  ASSERT_EQ(split.exit_code, 0) << split.output;
  EXPECT_NE(testing::read_text(dir / "split" / "metrics.jsonl").find("\"seconds_per_step\""), std::string::npos);
  EXPECT_NE(split.output.find("% backward"), std::string::npos) << split.output;
  auto plain = run_command(
      train((dir / "plain").string(), "train.grid_size=0 train.log_every=2 train.steps=2 train.time_split=false", 1));
  ASSERT_EQ(plain.exit_code, 0) << plain.output;
  const std::string metrics = testing::read_text(dir / "plain" / "metrics.jsonl");
  EXPECT_EQ(metrics.find("seconds_per_step"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("\"images_per_s\""), std::string::npos) << metrics;
  EXPECT_EQ(plain.output.find("% backward"), std::string::npos) << plain.output;
}

TEST_F(Training, MetricsTimelineGridAndConfigAreWritten) {
  ScratchDir dir;
  auto result = run_command(train((dir / "run").string(), "train.timeline=true train.grid_size=2 train.log_every=2 train.steps=4", 2));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  std::ifstream metrics(dir / "run" / "metrics.jsonl");
  std::vector<std::string> lines;
  for (std::string line; std::getline(metrics, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 2u);
  for (const char* field : {"\"step\":4", "\"content\"", "\"style_moments\"", "\"images_per_s\"", "\"reduce\""})
    EXPECT_NE(lines.back().find(field), std::string::npos) << field << " in " << lines.back();
  for (int rank : {0, 1}) {
    const std::string timeline = testing::read_text(dir / "run" / ("timeline-rank" + std::to_string(rank) + ".json"));
    EXPECT_NE(timeline.find("allreduce bucket 0"), std::string::npos);
    EXPECT_NE(timeline.find("\"backward\""), std::string::npos);
  }
  EXPECT_TRUE(fs::exists(dir / "run" / "grid.png"));
  EXPECT_NE(testing::read_text(dir / "run" / "config.yaml").find("batch_size: 2"), std::string::npos);
}

TEST_F(Training, BadConfigurationExitsTwoBeforeWritingAnything) {
  ScratchDir dir;
  auto result = run_command(train((dir / "run").string(), "data.bach_size=3"));
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("did you mean 'data.batch_size'"), std::string::npos) << result.output;
  EXPECT_FALSE(fs::exists(dir / "run"));
}

TEST_F(Training, StylizeAndSampleOnATrainedCheckpoint) {
  ScratchDir dir;
  ASSERT_EQ(run_command(train((dir / "vst").string(), "model.kind=vst loss.kl=0.01 train.steps=2")).exit_code, 0);
  ASSERT_EQ(run_command(train((dir / "adain").string(), "train.steps=2")).exit_code, 0);
  cv::Mat content(29, 37, CV_8UC3, cv::Scalar(40, 120, 200)), style(20, 24, CV_8UC3, cv::Scalar(10, 200, 30));
  cv::circle(content, cv::Point(15, 12), 6, cv::Scalar(250, 250, 0), -1);
  ASSERT_TRUE(cv::imwrite((dir / "content.png").string(), content));
  ASSERT_TRUE(cv::imwrite((dir / "style.png").string(), style));
  const std::string common = " --content " + (dir / "content.png").string() + " --style " + (dir / "style.png").string() + " --size 0";

  // Any size in, the same size out (padding to a multiple of 8 is undone), PNG or JPEG.
  auto result = run_command(kVarstyle + " stylize --checkpoint " + (dir / "vst").string() + common + " --out " + (dir / "a.png").string());
  ASSERT_EQ(result.exit_code, 0) << result.output;
  cv::Mat out = cv::imread((dir / "a.png").string());
  EXPECT_EQ(out.cols, 37);
  EXPECT_EQ(out.rows, 29);
  result = run_command(kVarstyle + " stylize --checkpoint " + (dir / "vst").string() + common + " --style " +
                       (dir / "style.png").string() + " --mix 0.3,0.7 --preserve-color --out " + (dir / "b.jpg").string());
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(cv::imread((dir / "b.jpg").string()).cols, 37);
  result = run_command(kVarstyle + " stylize --checkpoint " + (dir / "adain").string() + common + " --alpha 0.5 --out " + (dir / "c.png").string());
  ASSERT_EQ(result.exit_code, 0) << result.output;

  result = run_command(kVarstyle + " sample --checkpoint " + (dir / "vst").string() + " --content " + (dir / "content.png").string() +
                       " --size 0 --count 3 --seed 4 --out " + (dir / "samples.png").string());
  ASSERT_EQ(result.exit_code, 0) << result.output;
  out = cv::imread((dir / "samples.png").string());
  EXPECT_EQ(out.cols, 4 * 37);
  EXPECT_EQ(out.rows, 29);

  // Bad input: a model without a style code, no checkpoint, an unreadable image, a bad --mix.
  result = run_command(kVarstyle + " sample --checkpoint " + (dir / "adain").string() + " --content " + (dir / "content.png").string() + " --out " + (dir / "x.png").string());
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.output.find("'adain' cannot sample"), std::string::npos) << result.output;
  result = run_command(kVarstyle + " stylize --checkpoint " + (dir / "nothing").string() + common + " --out " + (dir / "x.png").string());
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.output.find("no complete checkpoint"), std::string::npos) << result.output;
  testing::write_text(dir / "broken.png", "not an image");
  result = run_command(kVarstyle + " stylize --checkpoint " + (dir / "vst").string() + " --content " + (dir / "broken.png").string() +
                       " --style " + (dir / "style.png").string() + " --out " + (dir / "x.png").string());
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.output.find("broken.png: cannot read image"), std::string::npos) << result.output;
  result = run_command(kVarstyle + " stylize --checkpoint " + (dir / "vst").string() + common + " --mix 0.5,0.5 --out " + (dir / "x.png").string());
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_FALSE(fs::exists(dir / "x.png"));
}

TEST_F(Training, Bf16OnTheCpuTrainsWithW2AndStylizesCloseToFp32) {
  ScratchDir dir;
  auto result = run_command(train((dir / "run").string(), "train.bf16=true loss.style_w2=1 train.steps=2"));
  ASSERT_EQ(result.exit_code, 0) << result.output;  // a non-finite loss would abort (train.on_nonfinite)
  const bool says_which = result.output.find("bf16: autocast on the CPU, which has native bf16") != std::string::npos ||
                          result.output.find("bf16: this CPU has no native bf16") != std::string::npos;
  EXPECT_TRUE(says_which) << result.output;
  EXPECT_NE(testing::read_text(dir / "run" / "metrics.jsonl").find("\"style_w2\""), std::string::npos);

  cv::Mat content(29, 37, CV_8UC3), style(24, 24, CV_8UC3);
  cv::randu(content, cv::Scalar::all(0), cv::Scalar::all(255));
  cv::randu(style, cv::Scalar::all(0), cv::Scalar::all(255));
  ASSERT_TRUE(cv::imwrite((dir / "content.png").string(), content));
  ASSERT_TRUE(cv::imwrite((dir / "style.png").string(), style));
  const std::string stylize = kVarstyle + " stylize --checkpoint " + (dir / "run").string() + " --content " +
                              (dir / "content.png").string() + " --style " + (dir / "style.png").string() + " --size 0 --out ";
  result = run_command(stylize + (dir / "fp32.png").string());
  ASSERT_EQ(result.exit_code, 0) << result.output;
  result = run_command(stylize + (dir / "bf16.png").string() + " --bf16");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("bf16:"), std::string::npos) << result.output;
  cv::Mat fp32 = cv::imread((dir / "fp32.png").string()), bf16 = cv::imread((dir / "bf16.png").string());
  ASSERT_EQ(fp32.size(), bf16.size());
  cv::Mat difference;
  cv::absdiff(fp32, bf16, difference);
  const cv::Scalar mean = cv::mean(difference);
  const double levels = (mean[0] + mean[1] + mean[2]) / 3;
  EXPECT_GT(levels, 0.0) << "--bf16 gave the fp32 image bit for bit: autocast did not run";
  EXPECT_LT(levels, 2.0) << "mean |bf16 - fp32| in 8-bit levels";
}

}  // namespace
}  // namespace varstyle
