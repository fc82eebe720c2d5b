// Random access to the images of a prepared dataset: manifest + HDF5 shards, one hyperslab read
// per image, each image checked against its stored checksum. One instance (one set of HDF5
// handles) per rank; shards are opened lazily and at most `max_open_shards` stay open.
#pragma once

#include <cstdint>
#include <filesystem>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/h5.h"
#include "data/manifest.h"

namespace varstyle {

class ShardedDataset {
 public:
  // Checks that every shard named by the manifest exists with its recorded size; throws Error
  // naming the folder or shard otherwise.
  explicit ShardedDataset(const std::filesystem::path& folder, bool verify_checksums = true,
                          size_t max_open_shards = 64);
  ~ShardedDataset();

  int64_t size() const { return manifest_.count; }
  int64_t image_size() const { return manifest_.size; }
  const Manifest& manifest() const { return manifest_; }
  const std::filesystem::path& folder() const { return folder_; }

  // Copies image `index` (image_size()^2 * 3 bytes, HWC RGB) into `rgb`. Thread-safe.
  void read(int64_t index, uint8_t* rgb);
  int32_t label(int64_t index);          // -1 when the dataset has no labels
  std::string source(int64_t index);     // the relative path the image came from

 private:
  struct OpenShard;
  OpenShard& shard_for(int64_t index, int64_t* local_index);  // caller holds mutex_

  std::filesystem::path folder_;
  Manifest manifest_;
  bool verify_checksums_;
  size_t max_open_shards_;
  std::vector<int64_t> first_index_;  // first global index of each shard
  std::mutex mutex_;
  std::list<std::unique_ptr<OpenShard>> open_;  // most recently used first
};

}  // namespace varstyle
