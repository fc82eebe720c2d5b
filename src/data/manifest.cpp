// Manifest JSON (de)serialisation with nlohmann-json and strict validation.
#include "data/manifest.h"

#include <limits>

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "core/atomic_file.h"
#include "core/error.h"

namespace varstyle {
namespace fs = std::filesystem;
using nlohmann::json;

std::string shard_file_name(int64_t index) { return fmt::format("shard-{:05d}.h5", index); }

std::string Manifest::to_json() const {
  json root;
  root["format"] = "varstyle-manifest";
  root["format_version"] = kShardFormatVersion;
  root["tool_version"] = tool_version;
  root["kind"] = kind;
  root["size"] = size;
  root["count"] = count;
  root["label_names"] = label_names;
  root["shards"] = json::array();
  for (const auto& shard : shards)
    root["shards"].push_back({{"file", shard.file}, {"count", shard.count}, {"bytes", shard.bytes}, {"checksum", shard.checksum}});
  return root.dump(2) + "\n";
}

namespace {

// The manifest's JSON, refused before parsing when it is missing or implausibly large.
json read_manifest_json(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec))
    throw Error(fmt::format("{}: manifest not found (is this a varstyle-prep output folder?)", path.string()));
  const auto file_bytes = fs::file_size(path, ec);
  if (!ec && file_bytes > static_cast<uintmax_t>(kMaxManifestBytes))
    throw Error(fmt::format("{}: {} bytes, more than a manifest can be ({}); not a varstyle-prep manifest",
                            path.string(), file_bytes, kMaxManifestBytes));
  try {
    return json::parse(read_file(path));
  } catch (const json::parse_error& e) {
    throw Error(fmt::format("{}: malformed JSON: {}", path.string(), e.what()));
  }
}

// object[key], or an Error naming the file, `where` ("shards[3]: ") and the key.
const json& field(const json& object, const char* key, const fs::path& path, const std::string& where = "") {
  if (!object.is_object() || !object.contains(key))
    throw Error(fmt::format("{}: {}missing key '{}'", path.string(), where, key));
  return object.at(key);
}

ShardEntry read_shard_entry(const json& shard, const fs::path& path, const std::string& where, int64_t image_side) {
  ShardEntry entry;
  entry.file = field(shard, "file", path, where).get<std::string>();
  entry.count = field(shard, "count", path, where).get<int64_t>();
  entry.bytes = field(shard, "bytes", path, where).get<int64_t>();
  entry.checksum = field(shard, "checksum", path, where).get<std::string>();
  if (entry.file.empty() || entry.file.find('/') != std::string::npos || entry.count < 0 || entry.bytes <= 0)
    throw Error(fmt::format("{}: {}invalid shard entry", path.string(), where));
  // Images are stored uncompressed, so a shard's bytes bound its count (and the total cannot
  // overflow, whatever the file claims).
  const int64_t image_bytes = image_side * image_side * 3;
  if (entry.count > entry.bytes / image_bytes)
    throw Error(fmt::format("{}: {}'count' is {}, more than {} bytes can hold at size {}", path.string(), where,
                            entry.count, entry.bytes, image_side));
  return entry;
}

}  // namespace

Manifest Manifest::load(const fs::path& folder_or_file) {
  const fs::path path = fs::is_directory(folder_or_file) ? folder_or_file / kManifestName : folder_or_file;
  const json root = read_manifest_json(path);
  Manifest manifest;
  try {
    if (field(root, "format", path).get<std::string>() != "varstyle-manifest")
      throw Error(fmt::format("{}: 'format' is not varstyle-manifest", path.string()));
    manifest.tool_version = field(root, "tool_version", path).get<std::string>();
    manifest.kind = field(root, "kind", path).get<std::string>();
    manifest.size = field(root, "size", path).get<int64_t>();
    // Readers allocate size x size x 3 bytes per image: bound it before anyone does.
    if (manifest.size <= 0 || manifest.size > kMaxImageSide)
      throw Error(fmt::format("{}: 'size' is {}, outside [1, {}]", path.string(), manifest.size, kMaxImageSide));
    manifest.count = field(root, "count", path).get<int64_t>();
    manifest.label_names = field(root, "label_names", path).get<std::vector<std::string>>();
    const json shards = field(root, "shards", path);  // a copy: g++ 13 cannot tell the reference outlives `where`
    if (!shards.is_array()) throw Error(fmt::format("{}: 'shards' is not a list", path.string()));
    int64_t total = 0;
    for (size_t i = 0; i < shards.size(); ++i) {
      const std::string where = fmt::format("shards[{}]: ", i);
      const ShardEntry entry = read_shard_entry(shards[i], path, where, manifest.size);
      if (total > std::numeric_limits<int64_t>::max() - entry.count)
        throw Error(fmt::format("{}: {}'count' overflows the total", path.string(), where));
      total += entry.count;
      manifest.shards.push_back(entry);
    }
    if (total != manifest.count)
      throw Error(fmt::format("{}: 'count' is {} but the shards hold {}", path.string(), manifest.count, total));
  } catch (const json::exception& e) {
    throw Error(fmt::format("{}: wrong type in manifest: {}", path.string(), e.what()));
  }
  return manifest;
}

}  // namespace varstyle
