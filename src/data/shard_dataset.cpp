// ShardedDataset: manifest-checked lazy shard handles, hyperslab reads, checksum verification.
#include "data/shard_dataset.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/error.h"
#include "core/hash.h"

namespace varstyle {
namespace fs = std::filesystem;

struct ShardedDataset::OpenShard {
  size_t shard = 0;
  fs::path path;
  h5::Handle file;
  h5::Handle images;
  h5::Handle file_space;
  h5::Handle memory_space;
  std::vector<uint64_t> checksums;
  std::vector<int32_t> labels;
  std::vector<std::string> sources;
};

ShardedDataset::ShardedDataset(const fs::path& folder, bool verify_checksums, size_t max_open_shards)
    : folder_(folder),
      manifest_(Manifest::load(folder)),
      verify_checksums_(verify_checksums),
      max_open_shards_(std::max<size_t>(1, max_open_shards)) {
  int64_t first = 0;
  for (const auto& entry : manifest_.shards) {
    const fs::path path = folder_ / entry.file;
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
      throw Error(fmt::format("{}: shard listed in the manifest is missing", path.string()));
    const auto bytes = static_cast<int64_t>(fs::file_size(path, ec));
    if (ec || bytes != entry.bytes)
      throw Error(fmt::format("{}: shard is {} bytes, the manifest says {} (truncated or replaced; "
                              "run `varstyle-prep verify {}`)",
                              path.string(), bytes, entry.bytes, folder_.string()));
    first_index_.push_back(first);
    first += entry.count;
  }
  if (manifest_.count == 0) throw Error(fmt::format("{}: the dataset holds no images", folder_.string()));
}

ShardedDataset::~ShardedDataset() = default;

ShardedDataset::OpenShard& ShardedDataset::shard_for(int64_t index, int64_t* local_index) {
  if (index < 0 || index >= manifest_.count)
    throw Error(fmt::format("{}: image index {} out of range [0, {})", folder_.string(), index,
                            manifest_.count));
  const size_t shard =
      static_cast<size_t>(std::upper_bound(first_index_.begin(), first_index_.end(), index) -
                          first_index_.begin() - 1);
  *local_index = index - first_index_[shard];

  for (auto it = open_.begin(); it != open_.end(); ++it) {
    if ((*it)->shard == shard) {
      open_.splice(open_.begin(), open_, it);
      return *open_.front();
    }
  }

  auto open = std::make_unique<OpenShard>();
  open->shard = shard;
  open->path = folder_ / manifest_.shards[shard].file;
  try {
    open->file = h5::open_file_read(open->path);
    const hid_t file = open->file.get();
    if (h5::read_string_attribute(file, "format") != kShardFormat)
      throw Error("not a varstyle shard (attribute 'format')");
    open->images = h5::open_dataset(file, "images");
    const auto dims = h5::dataset_dims(open->images.get());
    const auto s = static_cast<hsize_t>(manifest_.size);
    const auto n = static_cast<hsize_t>(manifest_.shards[shard].count);
    if (dims != std::vector<hsize_t>{n, s, s, 3})
      throw Error(fmt::format("/images has shape [{}], the manifest expects [{}, {}, {}, 3]",
                              fmt::join(dims, ", "), n, s, s));
    // At most n entries each: a larger (perhaps sparse) dataset is refused before allocating.
    open->checksums = h5::read_uint64s(file, "checksums", n);
    open->sources = h5::read_strings(file, "sources", n);
    if (h5::has_object(file, "labels")) open->labels = h5::read_int32s(file, "labels", n);
    if (open->checksums.size() != n || open->sources.size() != n ||
        (!open->labels.empty() && open->labels.size() != n))
      throw Error("/checksums, /sources or /labels do not match the image count");
    open->file_space = h5::Handle(VS_H5_CHECK(H5Dget_space(open->images.get())), H5Sclose);
    // The memory space has the selection's shape, so HDF5 copies the chunk in one piece.
    hsize_t count[4] = {1, s, s, 3};
    open->memory_space = h5::Handle(VS_H5_CHECK(H5Screate_simple(4, count, nullptr)), H5Sclose);
  } catch (const Error& e) {
    const std::string prefix = open->path.string() + ":";
    const std::string what = e.what();
    throw Error(what.rfind(prefix, 0) == 0 ? what : fmt::format("{} {}", prefix, what));
  }
  open_.push_front(std::move(open));
  if (open_.size() > max_open_shards_) open_.pop_back();
  return *open_.front();
}

void ShardedDataset::read(int64_t index, uint8_t* rgb) {
  std::lock_guard<std::mutex> lock(mutex_);
  h5::silence_error_printing();
  int64_t local = 0;
  OpenShard& shard = shard_for(index, &local);
  const auto s = static_cast<hsize_t>(manifest_.size);
  hsize_t start[4] = {static_cast<hsize_t>(local), 0, 0, 0};
  hsize_t count[4] = {1, s, s, 3};
  try {
    VS_H5_CHECK(H5Sselect_hyperslab(shard.file_space.get(), H5S_SELECT_SET, start, nullptr, count,
                                    nullptr));
    VS_H5_CHECK(H5Dread(shard.images.get(), H5T_NATIVE_UINT8, shard.memory_space.get(),
                        shard.file_space.get(), H5P_DEFAULT, rgb));
  } catch (const Error& e) {
    throw Error(fmt::format("{}: cannot read image {}: {}", shard.path.string(), local, e.what()));
  }
  if (verify_checksums_ &&
      checksum_bytes(rgb, static_cast<size_t>(s * s * 3)) != shard.checksums[static_cast<size_t>(local)])
    throw Error(fmt::format("{}: image {} ({}) does not match its checksum (corrupt shard; run "
                            "`varstyle-prep verify {}`)",
                            shard.path.string(), local, shard.sources[static_cast<size_t>(local)],
                            folder_.string()));
}

int32_t ShardedDataset::label(int64_t index) {
  std::lock_guard<std::mutex> lock(mutex_);
  int64_t local = 0;
  OpenShard& shard = shard_for(index, &local);
  return shard.labels.empty() ? -1 : shard.labels[static_cast<size_t>(local)];
}

std::string ShardedDataset::source(int64_t index) {
  std::lock_guard<std::mutex> lock(mutex_);
  int64_t local = 0;
  OpenShard& shard = shard_for(index, &local);
  return shard.sources[static_cast<size_t>(local)];
}

}  // namespace varstyle
