// Atomic writes: the target holds the old or the new contents, never a mixture, and no temporary
// file is left behind; failures name the path.
#include "core/atomic_file.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "test_support.h"

namespace varstyle {
namespace {

TEST(AtomicFile, ReplacesContentsAndLeavesNoTemporary) {
  testing::ScratchDir dir;
  write_file_atomic(dir / "a.json", "first");
  write_file_atomic(dir / "a.json", "second");
  EXPECT_EQ(read_file(dir / "a.json"), "second");
  int entries = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    (void)entry;
    ++entries;
  }
  EXPECT_EQ(entries, 1);
}

TEST(AtomicFile, UnwritableFolderNamesThePath) {
  testing::ScratchDir dir;
  const auto target = dir / "missing-folder" / "a.json";
  try {
    write_file_atomic(target, "x");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(target.string()), std::string::npos) << e.what();
  }
}

TEST(AtomicFile, FailedRenameSaysWhyAndRemovesTheTemporary) {
  testing::ScratchDir dir;
  // A non-empty folder in the way: the rename fails, and the reason must be its own, not the
  // "Success" of a later call.
  testing::write_text(dir / "target" / "inside", "x");
  try {
    write_file_atomic(dir / "target", "contents");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find((dir / "target").string() + ": cannot rename into place: "), std::string::npos) << message;
    EXPECT_EQ(message.find("Success"), std::string::npos) << message;
  }
  int entries = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) entries += entry.path().filename() != "target";
  EXPECT_EQ(entries, 0);
}

TEST(AtomicFile, ReadMissingFileNamesIt) {
  testing::ScratchDir dir;
  EXPECT_THROW(read_file(dir / "nope"), Error);
}

}  // namespace
}  // namespace varstyle
