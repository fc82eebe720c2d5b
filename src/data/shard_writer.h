// Writes one HDF5 shard (/images uint8 [N,S,S,3] one image per chunk, /sources, /checksums,
// optional /labels and /label_names, attributes) under a temporary name; commit() renames it into
// place, so an interrupted run never leaves a half shard that looks whole.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/h5.h"
#include "data/manifest.h"

namespace varstyle {

class ShardWriter {
 public:
  ShardWriter(std::filesystem::path final_path, int64_t size, bool with_labels);
  ~ShardWriter();  // removes the temporary file when commit() was not reached
  ShardWriter(const ShardWriter&) = delete;
  ShardWriter& operator=(const ShardWriter&) = delete;

  // `rgb` holds size*size*3 bytes, row-major HWC. `label` is -1 for "no label".
  void append(const uint8_t* rgb, const std::string& source, int32_t label = -1);
  int64_t count() const { return static_cast<int64_t>(sources_.size()); }
  void set_attribute(const std::string& name, const std::string& value);

  // Writes the remaining datasets and attributes, fsyncs, renames; returns the manifest entry.
  ShardEntry commit(const std::vector<std::string>& label_names, const std::string& tool_version);

 private:
  std::filesystem::path final_path_;
  std::filesystem::path temporary_path_;
  int64_t size_;
  bool with_labels_;
  h5::Handle file_;
  h5::Handle images_;
  std::vector<std::string> sources_;
  std::vector<int32_t> labels_;
  std::vector<uint64_t> checksums_;
  std::vector<std::pair<std::string, std::string>> attributes_;
  bool committed_ = false;
};

}  // namespace varstyle
