// HDF5 shard writer: extendible chunked image dataset, per-image checksums, atomic commit.
#include "data/shard_writer.h"

#include <fmt/format.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/hash.h"

namespace varstyle {
namespace fs = std::filesystem;

ShardWriter::ShardWriter(fs::path final_path, int64_t size, bool with_labels)
    : final_path_(std::move(final_path)),
      temporary_path_(temporary_sibling(final_path_)),
      size_(size),
      with_labels_(with_labels) {
  file_ = h5::create_file(temporary_path_);
  const hsize_t s = static_cast<hsize_t>(size_);
  hsize_t dims[4] = {0, s, s, 3};
  hsize_t max_dims[4] = {H5S_UNLIMITED, s, s, 3};
  hsize_t chunk[4] = {1, s, s, 3};
  h5::Handle space(VS_H5_CHECK(H5Screate_simple(4, dims, max_dims)), H5Sclose);
  h5::Handle dcpl = h5::deterministic_dataset_properties();
  VS_H5_CHECK(H5Pset_chunk(dcpl.get(), 4, chunk));
  images_ = h5::Handle(VS_H5_CHECK(H5Dcreate2(file_.get(), "images", H5T_STD_U8LE, space.get(),
                                              H5P_DEFAULT, dcpl.get(), H5P_DEFAULT)),
                       H5Dclose);
}

ShardWriter::~ShardWriter() {
  if (committed_) return;
  images_.reset();
  file_.reset();
  std::error_code ec;
  fs::remove(temporary_path_, ec);
}

void ShardWriter::append(const uint8_t* rgb, const std::string& source, int32_t label) {
  const hsize_t s = static_cast<hsize_t>(size_);
  const hsize_t index = static_cast<hsize_t>(count());
  hsize_t dims[4] = {index + 1, s, s, 3};
  VS_H5_CHECK(H5Dset_extent(images_.get(), dims));
  h5::Handle file_space(VS_H5_CHECK(H5Dget_space(images_.get())), H5Sclose);
  hsize_t start[4] = {index, 0, 0, 0};
  hsize_t count[4] = {1, s, s, 3};
  VS_H5_CHECK(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr));
  h5::Handle memory_space(VS_H5_CHECK(H5Screate_simple(4, count, nullptr)), H5Sclose);
  VS_H5_CHECK(H5Dwrite(images_.get(), H5T_NATIVE_UINT8, memory_space.get(), file_space.get(),
                       H5P_DEFAULT, rgb));
  sources_.push_back(source);
  labels_.push_back(label);
  checksums_.push_back(checksum_bytes(rgb, static_cast<size_t>(size_ * size_ * 3)));
}

void ShardWriter::set_attribute(const std::string& name, const std::string& value) {
  attributes_.emplace_back(name, value);
}

ShardEntry ShardWriter::commit(const std::vector<std::string>& label_names,
                               const std::string& tool_version) {
  try {
    h5::write_strings(file_.get(), "sources", sources_);
    h5::write_uint64s(file_.get(), "checksums", checksums_);
    if (with_labels_) {
      h5::write_int32s(file_.get(), "labels", labels_);
      h5::write_strings(file_.get(), "label_names", label_names);
    }
    h5::write_attribute(file_.get(), "format", std::string(kShardFormat));
    h5::write_attribute(file_.get(), "format_version", kShardFormatVersion);
    h5::write_attribute(file_.get(), "size", size_);
    h5::write_attribute(file_.get(), "count", count());
    h5::write_attribute(file_.get(), "tool_version", tool_version);
    for (const auto& [name, value] : attributes_) h5::write_attribute(file_.get(), name, value);
    images_.close();
    file_.close();
  } catch (const Error& e) {
    throw Error(fmt::format("{}: cannot write shard: {}", final_path_.string(), e.what()));
  }
  ShardEntry entry;
  entry.file = final_path_.filename().string();
  entry.count = count();
  entry.bytes = static_cast<int64_t>(fs::file_size(temporary_path_));
  entry.checksum = checksum_hex(checksum_file(temporary_path_));
  commit_file(temporary_path_, final_path_);
  committed_ = true;
  return entry;
}

}  // namespace varstyle
