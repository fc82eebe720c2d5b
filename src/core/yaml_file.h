// Reading YAML documents that users write (configs, overrides, sweep specs): parse errors, keys
// that are not plain scalars and duplicate keys become ConfigErrors naming the file, line and key
// path, so yaml-cpp's own messages ("bad conversion", "operator[] call on a scalar") never reach
// the user and a repeated key is never silently resolved to its first value.
#pragma once

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <string>

namespace varstyle {

// Loads and checks `file`; `what` names the document in messages ("config file", "sweep spec").
YAML::Node load_yaml_file(const std::filesystem::path& file, const std::string& what);

// Parses `text` (an override's value); `origin` says where it came from in messages
// ("override 'data.size=3'"), `prefix` the key path the value is set at ("data").
YAML::Node load_yaml_text(const std::string& text, const std::string& origin, const std::string& prefix);

// Every map key below `node` must be a scalar and appear once in its map. `origin` is the file or
// the override; `prefix` is the key path of `node` ("" at the top).
void check_yaml_keys(const YAML::Node& node, const std::string& origin, const std::string& prefix = "");

// "origin:line:column" for a node read from a file, "origin" when the node has no position.
std::string yaml_location(const std::string& origin, const YAML::Node& node);

}  // namespace varstyle
