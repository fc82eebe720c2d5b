// The varstyle-prep subcommands as functions (images, synthetic, verify), so that tests drive
// them in-process and the binary's main only parses flags.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "image_decode.h"
#include "prep_job.h"

namespace varstyle {

struct ImagesOptions {
  std::vector<std::filesystem::path> inputs;
  std::filesystem::path output;
  int size = 256;
  int64_t shard_size = 1000;
  int threads = 0;              // 0: all cores
  std::string labels = "none";  // "none" or "subdirs"
  int min_side = 64;
  int64_t max_pixels = 100'000'000;
  bool progress = true;
};

// Walks the inputs recursively (sorted paths, image extensions in any case), decodes each file
// and shards the results. Throws ConfigError for missing inputs, Error for unwritable output.
PrepSummary prep_images(const ImagesOptions& options);

struct SyntheticOptions {
  std::string kind;             // "content" or "style"
  int64_t count = 0;
  std::filesystem::path output;
  int size = 256;
  uint64_t seed = 0;
  int64_t shard_size = 1000;
  int threads = 0;
  bool progress = true;
};

PrepSummary prep_synthetic(const SyntheticOptions& options);

struct VerifyReport {
  int64_t shards = 0;
  int64_t images = 0;
  std::vector<std::string> problems;  // each names the file and what is wrong
  bool ok() const { return problems.empty(); }
};

// Checks the manifest against the shards: presence, size, checksum, format, shapes, counts.
VerifyReport verify_dataset(const std::filesystem::path& folder);

int resolve_threads(int requested);

}  // namespace varstyle
