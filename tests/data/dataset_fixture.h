// Writes small prepared datasets for the data tests: image k of a dataset is filled with a
// pattern derived from k, so any read can be checked exactly.
#pragma once

#include <filesystem>
#include <vector>

#include "core/atomic_file.h"
#include "data/manifest.h"
#include "data/shard_writer.h"

namespace varstyle::testing {

inline std::vector<uint8_t> pattern_image(int64_t k, int64_t size) {
  std::vector<uint8_t> rgb(static_cast<size_t>(size * size * 3));
  for (int64_t y = 0; y < size; ++y)
    for (int64_t x = 0; x < size; ++x)
      for (int64_t c = 0; c < 3; ++c)
        rgb[static_cast<size_t>((y * size + x) * 3 + c)] = static_cast<uint8_t>((k * 37 + y * 5 + x * 3 + c * 80) % 256);
  return rgb;
}

// Writes `counts.size()` shards with counts[i] pattern images each, labels k % 3, and a manifest.
inline Manifest write_pattern_dataset(const std::filesystem::path& folder, int64_t size,
                                      const std::vector<int64_t>& counts) {
  std::filesystem::create_directories(folder);
  Manifest manifest;
  manifest.size = size;
  manifest.kind = "test";
  manifest.tool_version = "test";
  manifest.label_names = {"a", "b", "c"};
  int64_t k = 0;
  for (size_t s = 0; s < counts.size(); ++s) {
    ShardWriter writer(folder / shard_file_name(static_cast<int64_t>(s)), size, true);
    for (int64_t i = 0; i < counts[s]; ++i, ++k)
      writer.append(pattern_image(k, size).data(), "img" + std::to_string(k) + ".png", static_cast<int32_t>(k % 3));
    manifest.shards.push_back(writer.commit(manifest.label_names, "test"));
    manifest.count += counts[s];
  }
  write_file_atomic(folder / kManifestName, manifest.to_json());
  return manifest;
}

}  // namespace varstyle::testing
