// varstyle-prep as users run it: exit codes and messages for success, nothing converted, no
// imgcodecs module, bad flags, missing input, unwritable output, and verify on a damaged folder.
#include <gtest/gtest.h>

#include <fstream>

#include <opencv2/imgcodecs.hpp>

#include "test_support.h"

namespace varstyle {
namespace {

using testing::run_command;
using testing::ScratchDir;

const std::string kPrep = VARSTYLE_PREP_BINARY;

TEST(PrepCli, SyntheticThenVerify) {
  ScratchDir dir;
  auto result = run_command(kPrep + " synthetic --kind content --count 6 --size 16 --shard-size 4 --output " + (dir / "c").string());
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("converted 6 images into 2 shard(s)"), std::string::npos) << result.output;
  result = run_command(kPrep + " verify " + (dir / "c").string());
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("OK (2 shards, 6 images)"), std::string::npos) << result.output;

  std::string bytes = testing::read_text(dir / "c" / "shard-00001.h5");
  bytes[bytes.size() - 100] = static_cast<char>(bytes[bytes.size() - 100] ^ 0x10);
  std::ofstream(dir / "c" / "shard-00001.h5", std::ios::binary | std::ios::trunc) << bytes;
  result = run_command(kPrep + " verify " + (dir / "c").string());
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("shard-00001.h5: checksum"), std::string::npos) << result.output;
}

TEST(PrepCli, NothingConvertedExitsThreeWithAReport) {
  ScratchDir dir;
  testing::write_text(dir / "in" / "a.jpg", "");
  testing::write_text(dir / "in" / "b.png", "text");
  auto result = run_command(kPrep + " images --no-progress --input " + (dir / "in").string() + " --output " + (dir / "out").string());
  EXPECT_EQ(result.exit_code, 3) << result.output;
  EXPECT_NE(result.output.find("no image could be converted"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("skipped 2 file(s)"), std::string::npos) << result.output;
  EXPECT_TRUE(std::filesystem::exists(dir / "out" / "prep_report.json"));
}

TEST(PrepCli, JpegsConvertWithoutTheCodecsModuleAndOtherFormatsSaySo) {
  // varstyle-prep copied away from its imgcodecs module: JPEGs need no module, and a PNG is
  // skipped with the loader's reason instead of stopping the run.
  ScratchDir dir;
  std::filesystem::copy_file(kPrep, dir / "varstyle-prep");
  const cv::Mat image(64, 80, CV_8UC3, cv::Scalar(10, 120, 230));
  std::filesystem::create_directories(dir / "in");
  ASSERT_TRUE(cv::imwrite((dir / "in" / "a.jpg").string(), image));
  ASSERT_TRUE(cv::imwrite((dir / "in" / "b.png").string(), image));
  auto result = run_command((dir / "varstyle-prep").string() + " images --no-progress --size 32 --min-side 8 --input " +
                            (dir / "in").string() + " --output " + (dir / "out").string());
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("converted 1 images"), std::string::npos) << result.output;
  const std::string report = testing::read_text(dir / "out" / "prep_report.json");
  EXPECT_NE(report.find("b.png"), std::string::npos) << report;
  EXPECT_NE(report.find("decoding unavailable"), std::string::npos) << report;
}

TEST(PrepCli, BadFlagsAndMissingInputExitTwo) {
  ScratchDir dir;
  auto result = run_command(kPrep + " images --input " + (dir / "absent").string() + " --output " + (dir / "out").string());
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("absent: not a folder"), std::string::npos) << result.output;
  result = run_command(kPrep + " images --input x --output y --size -4");
  EXPECT_EQ(result.exit_code, 2) << result.output;
  result = run_command(kPrep + " frobnicate");
  EXPECT_EQ(result.exit_code, 2) << result.output;
}

TEST(PrepCli, UnwritableOutputExitsOneNamingIt) {
  ScratchDir dir;
  testing::write_text(dir / "blocker", "a file where a folder should go");
  auto result = run_command(kPrep + " synthetic --kind style --count 2 --size 16 --output " + (dir / "blocker" / "out").string());
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("blocker/out: cannot create the output folder"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace varstyle
