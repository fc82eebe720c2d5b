// YAML loading with file:line errors for parse failures, non-scalar keys and duplicate keys.
#include "core/yaml_file.h"

#include <map>

#include <fmt/format.h>

#include "core/error.h"

namespace varstyle {
namespace fs = std::filesystem;

namespace {

// Deeper nesting than this is no configuration anyone writes; the limit keeps the walk's stack
// bounded whatever a file holds.
constexpr int kMaxDepth = 64;

std::string join(const std::string& prefix, const std::string& key) {
  return prefix.empty() ? key : prefix + "." + key;
}

std::string where(const std::string& origin, const YAML::Node& node, bool positions) {
  return positions ? yaml_location(origin, node) : origin;
}

void check_keys(const YAML::Node& node, const std::string& origin, const std::string& prefix, bool positions,
                int depth) {
  if (depth > kMaxDepth)
    throw ConfigError(fmt::format("{}: {}: nested more than {} levels deep", where(origin, node, positions),
                                  prefix.empty() ? "(top level)" : prefix, kMaxDepth));
  if (node.IsSequence()) {
    for (size_t i = 0; i < node.size(); ++i)
      check_keys(node[i], origin, fmt::format("{}[{}]", prefix, i), positions, depth + 1);
    return;
  }
  if (!node.IsMap()) return;
  std::map<std::string, YAML::Node> seen;
  for (const auto& item : node) {
    if (!item.first.IsScalar())
      throw ConfigError(fmt::format("{}: {}: a key must be a plain name, not {}", where(origin, item.first, positions),
                                    join(prefix, "?"), item.first.IsSequence() ? "a list" : item.first.IsMap() ? "a map" : "empty"));
    const std::string key = item.first.Scalar();
    const auto [first, inserted] = seen.emplace(key, item.first);
    if (!inserted) {
      const YAML::Mark mark = first->second.Mark();
      const std::string first_line =
          positions && !mark.is_null() ? fmt::format(" (first at line {})", mark.line + 1) : "";
      throw ConfigError(fmt::format("{}: {}: duplicate key{}; keep one of them", where(origin, item.first, positions),
                                    join(prefix, key), first_line));
    }
    check_keys(item.second, origin, join(prefix, key), positions, depth + 1);
  }
}

}  // namespace

std::string yaml_location(const std::string& origin, const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  if (mark.is_null()) return origin;
  return fmt::format("{}:{}:{}", origin, mark.line + 1, mark.column + 1);
}

void check_yaml_keys(const YAML::Node& node, const std::string& origin, const std::string& prefix) {
  check_keys(node, origin, prefix, /*positions=*/true, 0);
}

YAML::Node load_yaml_file(const fs::path& file, const std::string& what) {
  const std::string name = file.string();
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) throw ConfigError(fmt::format("{}: {} not found", name, what));
  YAML::Node root;
  try {
    root = YAML::LoadFile(name);
  } catch (const YAML::BadFile&) {
    throw ConfigError(fmt::format("{}: cannot read the {}", name, what));
  } catch (const YAML::ParserException& e) {
    throw ConfigError(fmt::format("{}:{}:{}: malformed YAML: {}", name, e.mark.line + 1, e.mark.column + 1, e.msg));
  } catch (const YAML::Exception& e) {
    throw ConfigError(fmt::format("{}: cannot read the {}: {}", name, what, e.msg));
  }
  check_keys(root, name, "", /*positions=*/true, 0);
  return root;
}

YAML::Node load_yaml_text(const std::string& text, const std::string& origin, const std::string& prefix) {
  YAML::Node node;
  try {
    node = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(fmt::format("{}: malformed value: {}", origin, e.msg));
  }
  // Positions inside a one-line value would only confuse: the origin names it.
  check_keys(node, origin, prefix, /*positions=*/false, 0);
  return node;
}

}  // namespace varstyle
