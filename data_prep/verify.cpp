// varstyle-prep verify: the manifest checked against every shard it lists.
#include <fmt/format.h>

#include "core/error.h"
#include "core/h5.h"
#include "core/hash.h"
#include "data/manifest.h"
#include "prep_commands.h"

namespace varstyle {
namespace fs = std::filesystem;

namespace {

// Returns "" when the shard's structure matches its manifest entry, else what is wrong.
std::string check_structure(const fs::path& path, const ShardEntry& entry, int64_t size) {
  try {
    h5::Handle file = h5::open_file_read(path);
    if (h5::read_string_attribute(file.get(), "format") != kShardFormat) return "not a varstyle shard";
    if (h5::read_int_attribute(file.get(), "count") != entry.count)
      return "attribute 'count' differs from the manifest";
    h5::Handle images = h5::open_dataset(file.get(), "images");
    const auto dims = h5::dataset_dims(images.get());
    const auto s = static_cast<hsize_t>(size);
    if (dims != std::vector<hsize_t>{static_cast<hsize_t>(entry.count), s, s, 3})
      return fmt::format("/images has shape [{}]", fmt::join(dims, ", "));
    if (h5::read_uint64s(file.get(), "checksums", static_cast<hsize_t>(entry.count)).size() != static_cast<size_t>(entry.count))
      return "/checksums has the wrong length";
    if (h5::read_strings(file.get(), "sources", static_cast<hsize_t>(entry.count)).size() != static_cast<size_t>(entry.count))
      return "/sources has the wrong length";
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

VerifyReport verify_dataset(const fs::path& folder) {
  VerifyReport report;
  const Manifest manifest = Manifest::load(folder);
  for (const auto& entry : manifest.shards) {
    const fs::path path = folder / entry.file;
    report.shards += 1;
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
      report.problems.push_back(fmt::format("{}: missing", path.string()));
      continue;
    }
    const auto bytes = static_cast<int64_t>(fs::file_size(path, ec));
    if (bytes != entry.bytes) {
      report.problems.push_back(fmt::format("{}: {} bytes, the manifest says {} (truncated?)",
                                            path.string(), bytes, entry.bytes));
      continue;
    }
    const std::string checksum = checksum_hex(checksum_file(path));
    if (checksum != entry.checksum) {
      report.problems.push_back(fmt::format("{}: checksum {} differs from the manifest's {} (corrupt)",
                                            path.string(), checksum, entry.checksum));
      continue;
    }
    const std::string problem = check_structure(path, entry, manifest.size);
    if (!problem.empty()) {
      report.problems.push_back(fmt::format("{}: {}", path.string(), problem));
      continue;
    }
    report.images += entry.count;
  }
  return report;
}

}  // namespace varstyle
