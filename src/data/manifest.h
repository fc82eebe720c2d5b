// The manifest of a prepared dataset (OUT/manifest.json): its shards, image counts, label names
// and a checksum per shard. Written by varstyle-prep, read by the reader and `verify`.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace varstyle {

inline constexpr const char* kManifestName = "manifest.json";
inline constexpr const char* kShardFormat = "varstyle-shard";
inline constexpr int64_t kShardFormatVersion = 1;
// Bounds on what a manifest may claim, checked before anything is allocated from it: the image
// side varstyle-prep writes (--size 8..4096, smaller accepted), and the manifest file's own size.
inline constexpr int64_t kMaxImageSide = 4096;
inline constexpr int64_t kMaxManifestBytes = int64_t{64} << 20;

struct ShardEntry {
  std::string file;       // relative to the manifest's folder: "shard-00000.h5"
  int64_t count = 0;      // images in the shard
  int64_t bytes = 0;      // file size, so that truncation is caught before any read
  std::string checksum;   // XXH3-64 of the whole file, 16 hex digits
};

struct Manifest {
  int64_t size = 0;                       // images are size x size x 3, uint8 RGB
  int64_t count = 0;                      // total images over all shards
  std::vector<ShardEntry> shards;
  std::vector<std::string> label_names;   // empty when the dataset has no labels
  std::string tool_version;
  std::string kind;                       // "images", "synthetic-content", "synthetic-style"

  std::string to_json() const;
  // Reads OUT/manifest.json (or a path to the file itself); throws Error naming the file and
  // the key on a missing or malformed manifest, or one whose sizes are out of bounds (a size above
  // kMaxImageSide, a shard whose bytes cannot hold its images).
  static Manifest load(const std::filesystem::path& folder_or_file);
};

// The shard file name for index k: "shard-00007.h5".
std::string shard_file_name(int64_t index);

}  // namespace varstyle
