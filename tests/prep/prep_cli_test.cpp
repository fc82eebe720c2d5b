// varstyle-prep as users run it: exit codes and messages for success, nothing converted, bad
// flags, missing input, unwritable output, and verify on a damaged folder.
#include <gtest/gtest.h>

#include <fstream>

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
