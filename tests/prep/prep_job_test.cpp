// varstyle-prep's sharding: sorted order, labels, skipped files in the report, byte-identical
// shards for 1 and 2 threads, resume after a kill, refusal to mix runs, and verify catching a
// flipped byte, a truncation and a missing shard.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/error.h"
#include "core/folder_lock.h"
#include "data/manifest.h"
#include "data/shard_dataset.h"
#include "prep_commands.h"
#include "test_support.h"

namespace varstyle {
namespace {

namespace fs = std::filesystem;
using testing::ScratchDir;

void write_png(const fs::path& path, int width, int height, int seed) {
  fs::create_directories(path.parent_path());
  cv::Mat image(height, width, CV_8UC3);
  cv::RNG rng(static_cast<uint64_t>(seed));
  rng.fill(image, cv::RNG::UNIFORM, 0, 256);
  ASSERT_TRUE(cv::imwrite(path.string(), image));
}

// A WikiArt-like tree: two style folders, a few bad files, mixed-case extensions.
fs::path make_input(const ScratchDir& dir) {
  const fs::path input = dir / "input";
  for (int i = 0; i < 5; ++i) write_png(input / "cubism" / ("c" + std::to_string(i) + ".png"), 40 + i, 36, i);
  for (int i = 0; i < 4; ++i) write_png(input / "baroque" / ("b" + std::to_string(i) + ".PNG"), 50, 44 + i, 10 + i);
  write_png(input / "top.png", 40, 40, 99);
  testing::write_text(input / "cubism" / "notes.png", "not really a png");
  testing::write_text(input / "baroque" / "empty.jpg", "");
  write_png(input / "baroque" / "tiny.png", 10, 10, 7);
  testing::write_text(input / "readme.txt", "ignored: not an image extension");
  return input;
}

ImagesOptions options_for(const fs::path& input, const fs::path& output, int threads) {
  ImagesOptions options;
  options.inputs = {input};
  options.output = output;
  options.size = 16;
  options.shard_size = 3;
  options.threads = threads;
  options.labels = "subdirs";
  options.min_side = 16;
  options.progress = false;
  return options;
}

TEST(PrepImages, ShardsLabelsAndReport) {
  ScratchDir dir;
  const fs::path input = make_input(dir);
  PrepSummary summary = prep_images(options_for(input, dir / "out", 1));
  EXPECT_EQ(summary.converted, 10);
  EXPECT_EQ(summary.shards, 4);  // 3 + 3 + 3 + 1
  ASSERT_EQ(summary.skipped.size(), 3u);

  ShardedDataset dataset(dir / "out");
  EXPECT_EQ(dataset.size(), 10);
  EXPECT_EQ(dataset.manifest().label_names, (std::vector<std::string>{"baroque", "cubism"}));
  // Sorted relative paths: baroque/b0.PNG ... cubism/c4.png, then top.png (no label).
  EXPECT_EQ(dataset.source(0), "baroque/b0.PNG");
  EXPECT_EQ(dataset.label(0), 0);
  EXPECT_EQ(dataset.source(4), "cubism/c0.png");
  EXPECT_EQ(dataset.label(4), 1);
  EXPECT_EQ(dataset.source(9), "top.png");
  EXPECT_EQ(dataset.label(9), -1);

  auto report = nlohmann::json::parse(testing::read_text(dir / "out" / kPrepReportName));
  EXPECT_EQ(report["converted"], 10);
  EXPECT_EQ(report["skipped_count"], 3);
  std::map<std::string, std::string> reasons;
  for (const auto& item : report["skipped"]) reasons[item["file"]] = item["reason"];
  EXPECT_NE(reasons["baroque/empty.jpg"].find("empty file"), std::string::npos);
  EXPECT_NE(reasons["baroque/tiny.png"].find("too small"), std::string::npos);
  EXPECT_NE(reasons["cubism/notes.png"].find("not an image"), std::string::npos);
}

TEST(PrepImages, OneAndTwoThreadsGiveIdenticalBytes) {
  ScratchDir dir;
  const fs::path input = make_input(dir);
  prep_images(options_for(input, dir / "one", 1));
  prep_images(options_for(input, dir / "two", 2));
  for (const char* name : {"shard-00000.h5", "shard-00001.h5", "shard-00002.h5", "shard-00003.h5", "manifest.json"})
    EXPECT_EQ(testing::read_text(dir / "one" / name), testing::read_text(dir / "two" / name)) << name;
}

TEST(PrepImages, CameraShapedJpegsGiveIdenticalBytesForOneAndTwoThreads) {
  // Landscape, portrait and square JPEGs whose decodes take each IDCT scale and a fractional
  // area reduction after it.
  ScratchDir dir;
  const fs::path input = dir / "input";
  fs::create_directories(input);
  const std::vector<cv::Size> sizes = {{640, 480}, {480, 640}, {500, 500}, {1024, 576}, {300, 420}};
  for (size_t i = 0; i < sizes.size(); ++i) {
    cv::Mat image(sizes[i], CV_8UC3);
    cv::RNG rng(i);
    rng.fill(image, cv::RNG::UNIFORM, 0, 256);
    cv::GaussianBlur(image, image, cv::Size(7, 7), 2.0);
    ASSERT_TRUE(cv::imwrite((input / ("photo" + std::to_string(i) + ".jpg")).string(), image));
  }
  ImagesOptions one = options_for(input, dir / "one", 1);
  one.size = 96;
  one.shard_size = 2;
  ImagesOptions two = one;
  two.output = dir / "two";
  two.threads = 2;
  EXPECT_EQ(prep_images(one).converted, 5);
  EXPECT_EQ(prep_images(two).converted, 5);
  for (const char* name : {"shard-00000.h5", "shard-00001.h5", "shard-00002.h5", "manifest.json"})
    EXPECT_EQ(testing::read_text(dir / "one" / name), testing::read_text(dir / "two" / name)) << name;
}

TEST(PrepImages, MissingInputIsAConfigError) {
  ScratchDir dir;
  EXPECT_THROW(prep_images(options_for(dir / "absent", dir / "out", 1)), ConfigError);
}

TEST(PrepImages, OddNamesAndNonRegularFilesAreReportedNotFatal) {
  ScratchDir dir;
  const fs::path input = dir / "input";
  write_png(input / "good.png", 40, 40, 1);
  write_png(input / "caf\xe9" / "x.png", 40, 40, 2);          // a label folder that is not UTF-8
  testing::write_text(input / "bad\xff.png", "corrupt");       // a bad file with a bad name
  ASSERT_EQ(mkfifo((input / "trap.png").c_str(), 0644), 0);    // would block a reader forever
  fs::create_symlink("/dev/zero", input / "zero.png");         // would never end
  fs::create_symlink(input / "absent.png", input / "dangling.png");
  PrepSummary summary = prep_images(options_for(input, dir / "out", 2));
  EXPECT_EQ(summary.converted, 2);
  ShardedDataset dataset(dir / "out");
  EXPECT_EQ(dataset.manifest().label_names, std::vector<std::string>{"caf\\xE9"});
  EXPECT_EQ(dataset.source(0), "caf\\xE9/x.png");
  auto report = nlohmann::json::parse(testing::read_text(dir / "out" / kPrepReportName));
  std::map<std::string, std::string> reasons;
  for (const auto& item : report["skipped"]) reasons[item["file"]] = item["reason"];
  EXPECT_EQ(reasons.size(), 4u) << report.dump();
  EXPECT_NE(reasons["bad\\xFF.png"].find("not an image"), std::string::npos) << report.dump();
  EXPECT_EQ(reasons["trap.png"], "not a regular file: a FIFO");
  EXPECT_EQ(reasons["zero.png"], "not a regular file: a character device");
  EXPECT_NE(reasons["dangling.png"].find("unreadable: No such file"), std::string::npos) << report.dump();
}

TEST(PrepJob, InvalidUtf8IsEscapedAndValidTextKept) {
  EXPECT_EQ(escape_invalid_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8e\xa8"), "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8e\xa8");
  EXPECT_EQ(escape_invalid_utf8("caf\xe9.png"), "caf\\xE9.png");
  EXPECT_EQ(escape_invalid_utf8("\xc0\xaf|\xed\xa0\x80|\xf4\x90\x80\x80|\xe2\x82"),  // overlong, surrogate, > U+10FFFF, cut
            "\\xC0\\xAF|\\xED\\xA0\\x80|\\xF4\\x90\\x80\\x80|\\xE2\\x82");
}

// A second run on an output folder in use is refused naming the first, and deletes nothing.
TEST(PrepJob, ABusyOutputFolderIsRefusedNamingTheHolder) {
  ScratchDir dir;
  fs::create_directories(dir / "out");
  const FolderLock held(dir / "out", kPrepLockName, "varstyle-prep images (the first run)");
  testing::write_text(dir / "out" / "shard-00000.h5.tmp-1-0", "the first run's shard in progress");
  const fs::path input = make_input(dir);
  try {
    prep_images(options_for(input, dir / "out", 1));
    FAIL() << "expected the busy folder to be refused";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_EQ(e.code(), ExitCode::kBadConfig);
    EXPECT_NE(message.find((dir / "out").string() + ": in use by pid " + std::to_string(getpid())), std::string::npos) << message;
    EXPECT_NE(message.find("varstyle-prep images (the first run)"), std::string::npos) << message;
  }
  EXPECT_TRUE(fs::exists(dir / "out" / "shard-00000.h5.tmp-1-0"));
  EXPECT_FALSE(fs::exists(dir / "out" / kPrepJournalName));
}

// Runs a synthetic job in a child process that dies (as under kill -9) once `die_at` items have
// been produced; then resumes in this process.
TEST(PrepJob, ResumesAfterAKillWithoutRedoingCommittedShards) {
  ScratchDir dir;
  auto make_job = [&](const fs::path& output, std::function<ProducedImage(size_t)> produce) {
    PrepJob job;
    job.kind = "test";
    job.output = output;
    job.size = 8;
    job.shard_size = 4;
    job.threads = 1;
    job.progress = false;
    for (int i = 0; i < 18; ++i) job.sources.push_back("item" + std::to_string(i));
    job.produce = std::move(produce);
    return job;
  };
  auto draw = [](size_t item) {
    if (item == 5) return ProducedImage{cv::Mat(), "skipped on purpose"};
    return ProducedImage{cv::Mat(8, 8, CV_8UC3, cv::Scalar(item, 2 * item, 3 * item)), ""};
  };

  run_prep_job(make_job(dir / "straight", draw));

  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // Dies (as under kill -9) producing item 16, once the journal shows shard 2 committed:
    // shards 0-2 hold items 0-12 and items 13-15 sit in an open 4th shard.
    run_prep_job(make_job(dir / "killed", [&](size_t item) {
      if (item >= 16) {
        for (int i = 0; i < 1000; ++i) {
          if (testing::read_text(dir / "killed" / kPrepJournalName).find("shard-00002.h5") != std::string::npos) _exit(9);
          usleep(10000);
        }
        _exit(8);
      }
      return draw(item);
    }));
    _exit(0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 9);
  EXPECT_FALSE(fs::exists(dir / "killed" / kManifestName));
  EXPECT_TRUE(fs::exists(dir / "killed" / "shard-00002.h5"));
  EXPECT_FALSE(fs::exists(dir / "killed" / "shard-00003.h5"));  // never a half shard under a final name

  std::atomic<int> redone{0};
  PrepSummary summary = run_prep_job(make_job(dir / "killed", [&](size_t item) {
    redone++;
    EXPECT_GE(item, 13u) << "item " << item << " was already in a committed shard";
    return draw(item);
  }));
  EXPECT_EQ(summary.resumed_items, 13);
  EXPECT_EQ(redone.load(), 5);
  EXPECT_EQ(summary.converted, 17);
  for (const auto& entry : fs::directory_iterator(dir / "straight")) {
    const std::string name = entry.path().filename().string();
    if (name == kPrepReportName) continue;
    EXPECT_EQ(testing::read_text(entry.path()), testing::read_text(dir / "killed" / name)) << name;
  }
  for (const auto& entry : fs::directory_iterator(dir / "killed"))
    EXPECT_EQ(entry.path().filename().string().find(".tmp-"), std::string::npos) << entry.path();

  // A finished job rerun does nothing; a changed job is refused instead of mixing outputs.
  summary = run_prep_job(make_job(dir / "killed", [&](size_t) -> ProducedImage {
    ADD_FAILURE() << "nothing should be redone";
    return {};
  }));
  EXPECT_EQ(summary.converted, 17);
  PrepJob changed = make_job(dir / "killed", draw);
  changed.sources.push_back("one more");
  EXPECT_THROW(run_prep_job(changed), Error);
}

TEST(Verify, DetectsFlippedByteTruncationAndMissingShard) {
  ScratchDir dir;
  SyntheticOptions options;
  options.kind = "style";
  options.count = 7;
  options.output = dir / "data";
  options.size = 16;
  options.shard_size = 3;
  options.threads = 2;
  options.progress = false;
  prep_synthetic(options);
  VerifyReport report = verify_dataset(dir / "data");
  EXPECT_TRUE(report.ok());
  EXPECT_EQ(report.shards, 3);
  EXPECT_EQ(report.images, 7);

  const fs::path shard = dir / "data" / "shard-00001.h5";
  std::string bytes = testing::read_text(shard);
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x01);
  std::ofstream(shard, std::ios::binary | std::ios::trunc) << bytes;
  report = verify_dataset(dir / "data");
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_NE(report.problems[0].find("shard-00001.h5: checksum"), std::string::npos) << report.problems[0];

  fs::resize_file(dir / "data" / "shard-00000.h5", 100);
  fs::remove(dir / "data" / "shard-00002.h5");
  report = verify_dataset(dir / "data");
  ASSERT_EQ(report.problems.size(), 3u);
  EXPECT_NE(report.problems[0].find("shard-00000.h5: 100 bytes"), std::string::npos) << report.problems[0];
  EXPECT_NE(report.problems[2].find("shard-00002.h5: missing"), std::string::npos) << report.problems[2];
}

TEST(Synthetic, DeterministicAndDistinctKinds) {
  ScratchDir dir;
  SyntheticOptions options;
  options.kind = "content";
  options.count = 4;
  options.size = 32;
  options.seed = 5;
  options.progress = false;
  options.output = dir / "a";
  options.threads = 1;
  prep_synthetic(options);
  options.output = dir / "b";
  options.threads = 2;
  prep_synthetic(options);
  EXPECT_EQ(testing::read_text(dir / "a" / "shard-00000.h5"), testing::read_text(dir / "b" / "shard-00000.h5"));
  ShardedDataset dataset(dir / "a");
  std::vector<uint8_t> first(32 * 32 * 3), second(32 * 32 * 3);
  dataset.read(0, first.data());
  dataset.read(1, second.data());
  EXPECT_NE(first, second);
  EXPECT_EQ(dataset.manifest().kind, "synthetic-content");
}

}  // namespace
}  // namespace varstyle
