// Manifest JSON (de)serialisation with nlohmann-json and strict validation.
#include "data/manifest.h"

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

Manifest Manifest::load(const fs::path& folder_or_file) {
  const fs::path path = fs::is_directory(folder_or_file) ? folder_or_file / kManifestName : folder_or_file;
  std::error_code ec;
  if (!fs::exists(path, ec))
    throw Error(fmt::format("{}: manifest not found (is this a varstyle-prep output folder?)", path.string()));
  json root;
  try {
    root = json::parse(read_file(path));
  } catch (const json::parse_error& e) {
    throw Error(fmt::format("{}: malformed JSON: {}", path.string(), e.what()));
  }
  auto field = [&](const json& object, const char* key, const std::string& where) -> const json& {
    if (!object.is_object() || !object.contains(key))
      throw Error(fmt::format("{}: {}missing key '{}'", path.string(), where, key));
    return object.at(key);
  };
  Manifest manifest;
  try {
    if (field(root, "format", "").get<std::string>() != "varstyle-manifest")
      throw Error(fmt::format("{}: 'format' is not varstyle-manifest", path.string()));
    manifest.tool_version = field(root, "tool_version", "").get<std::string>();
    manifest.kind = field(root, "kind", "").get<std::string>();
    manifest.size = field(root, "size", "").get<int64_t>();
    manifest.count = field(root, "count", "").get<int64_t>();
    manifest.label_names = field(root, "label_names", "").get<std::vector<std::string>>();
    const json& shards = field(root, "shards", "");
    if (!shards.is_array()) throw Error(fmt::format("{}: 'shards' is not a list", path.string()));
    int64_t total = 0;
    for (size_t i = 0; i < shards.size(); ++i) {
      const std::string where = fmt::format("shards[{}]: ", i);
      ShardEntry entry;
      entry.file = field(shards[i], "file", where).get<std::string>();
      entry.count = field(shards[i], "count", where).get<int64_t>();
      entry.bytes = field(shards[i], "bytes", where).get<int64_t>();
      entry.checksum = field(shards[i], "checksum", where).get<std::string>();
      if (entry.file.empty() || entry.file.find('/') != std::string::npos || entry.count < 0 ||
          entry.bytes <= 0)
        throw Error(fmt::format("{}: {}invalid shard entry", path.string(), where));
      total += entry.count;
      manifest.shards.push_back(entry);
    }
    if (manifest.size <= 0) throw Error(fmt::format("{}: 'size' must be positive", path.string()));
    if (total != manifest.count)
      throw Error(fmt::format("{}: 'count' is {} but the shards hold {}", path.string(), manifest.count, total));
  } catch (const json::exception& e) {
    throw Error(fmt::format("{}: wrong type in manifest: {}", path.string(), e.what()));
  }
  return manifest;
}

}  // namespace varstyle
