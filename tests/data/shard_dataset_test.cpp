// ShardedDataset: exact reads across shards, labels and sources, and a clear error naming the
// file for a missing manifest, a missing, truncated or corrupt shard.
#include "data/shard_dataset.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/error.h"
#include "data/dataset_fixture.h"
#include "test_support.h"

namespace varstyle {
namespace {

using testing::pattern_image;
using testing::ScratchDir;
using testing::write_pattern_dataset;

std::string error_message(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an Error";
  return "";
}

TEST(ShardedDataset, ReadsEveryImageExactlyAcrossShards) {
  ScratchDir dir;
  write_pattern_dataset(dir.path(), 16, {5, 3, 4});
  ShardedDataset dataset(dir.path(), true, /*max_open_shards=*/1);  // forces re-opening
  ASSERT_EQ(dataset.size(), 12);
  ASSERT_EQ(dataset.image_size(), 16);
  std::vector<uint8_t> rgb(16 * 16 * 3);
  for (int64_t k : {0, 11, 5, 4, 7, 0, 8}) {
    dataset.read(k, rgb.data());
    EXPECT_EQ(rgb, pattern_image(k, 16)) << "image " << k;
    EXPECT_EQ(dataset.label(k), k % 3);
    EXPECT_EQ(dataset.source(k), "img" + std::to_string(k) + ".png");
  }
  EXPECT_THROW(dataset.read(12, rgb.data()), Error);
}

TEST(ShardedDataset, MissingManifestNamesTheFolder) {
  ScratchDir dir;
  const std::string message = error_message([&] { ShardedDataset d(dir.path()); });
  EXPECT_NE(message.find("manifest.json: manifest not found"), std::string::npos) << message;
}

// Sizes in a manifest are bounded before anything is allocated from them.
TEST(ShardedDataset, ManifestSizesOutOfBoundsNameTheFileAndKey) {
  ScratchDir dir;
  write_pattern_dataset(dir.path(), 8, {2});
  const std::string manifest = testing::read_text(dir / "manifest.json");
  auto replaced = [&](const std::string& from, const std::string& to) {
    std::string text = manifest;
    const auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << text;
    return text.replace(at, from.size(), to);
  };
  testing::write_text(dir / "manifest.json", replaced("\"size\": 8", "\"size\": 100000"));
  std::string message = error_message([&] { ShardedDataset d(dir.path()); });
  EXPECT_NE(message.find("manifest.json: 'size' is 100000, outside [1, 4096]"), std::string::npos) << message;
  testing::write_text(dir / "manifest.json", replaced("\"count\": 2,\n      \"file\"", "\"count\": 1000000000000,\n      \"file\""));
  message = error_message([&] { ShardedDataset d(dir.path()); });
  EXPECT_NE(message.find("manifest.json: shards[0]: 'count' is 1000000000000, more than"), std::string::npos) << message;
}

TEST(ShardedDataset, MissingShardNamesTheFile) {
  ScratchDir dir;
  write_pattern_dataset(dir.path(), 8, {2, 2});
  std::filesystem::remove(dir / "shard-00001.h5");
  const std::string message = error_message([&] { ShardedDataset d(dir.path()); });
  EXPECT_NE(message.find("shard-00001.h5: shard listed in the manifest is missing"), std::string::npos) << message;
}

TEST(ShardedDataset, TruncatedShardNamesTheFile) {
  ScratchDir dir;
  write_pattern_dataset(dir.path(), 8, {2, 2});
  const auto path = dir / "shard-00000.h5";
  std::filesystem::resize_file(path, std::filesystem::file_size(path) / 2);
  const std::string message = error_message([&] { ShardedDataset d(dir.path()); });
  EXPECT_NE(message.find("shard-00000.h5"), std::string::npos) << message;
  EXPECT_NE(message.find("truncated"), std::string::npos) << message;
}

TEST(ShardedDataset, CorruptImageBytesFailTheChecksum) {
  ScratchDir dir;
  write_pattern_dataset(dir.path(), 8, {3});
  // Image 1 of the shard starts with the bytes of pattern_image(1); flip one byte inside it.
  const auto path = dir / "shard-00000.h5";
  std::string bytes = testing::read_text(path);
  const auto image = pattern_image(1, 8);
  const auto at = bytes.find(std::string(image.begin(), image.end()));
  ASSERT_NE(at, std::string::npos);
  bytes[at + 10] = static_cast<char>(bytes[at + 10] ^ 0x01);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;

  ShardedDataset dataset(dir.path());
  std::vector<uint8_t> rgb(8 * 8 * 3);
  dataset.read(0, rgb.data());  // untouched image still reads
  const std::string message = error_message([&] { dataset.read(1, rgb.data()); });
  EXPECT_NE(message.find("shard-00000.h5: image 1"), std::string::npos) << message;
  EXPECT_NE(message.find("checksum"), std::string::npos) << message;
}

TEST(ShardedDataset, GarbageShardNamesTheFile) {
  ScratchDir dir;
  Manifest manifest = write_pattern_dataset(dir.path(), 8, {2});
  const auto path = dir / "shard-00000.h5";
  std::ofstream(path, std::ios::binary | std::ios::trunc) << std::string(static_cast<size_t>(manifest.shards[0].bytes), 'x');
  ShardedDataset dataset(dir.path());
  std::vector<uint8_t> rgb(8 * 8 * 3);
  const std::string message = error_message([&] { dataset.read(0, rgb.data()); });
  EXPECT_NE(message.find("shard-00000.h5"), std::string::npos) << message;
  EXPECT_NE(message.find("cannot open as HDF5"), std::string::npos) << message;
}

}  // namespace
}  // namespace varstyle
