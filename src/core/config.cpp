// Config loading (YAML file + "section.key=value" overrides), validation with file:line messages
// and "did you mean" suggestions, and emission of the resolved config.
#include "core/config.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "core/config_schema.h"
#include "core/error.h"
#include "core/yaml_file.h"

namespace varstyle {
namespace fs = std::filesystem;
namespace config_schema {

namespace {

std::string describe(const YAML::Node& node) {
  if (node.IsNull()) return "nothing";
  if (node.IsScalar()) return fmt::format("'{}'", node.Scalar());
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return "a map";
  return "an undefined value";
}

}  // namespace

void Loader::fail(const std::string& path, const YAML::Node& node, const std::string& reason) const {
  throw ConfigError(fmt::format("{}: {}: {}", locate_(path, node), path, reason));
}

template <>
std::string Loader::convert<std::string>(const std::string& path, const YAML::Node& node) const {
  if (!node.IsScalar()) fail(path, node, "expected a string, got " + describe(node));
  return node.Scalar();
}

template <>
int64_t Loader::convert<int64_t>(const std::string& path, const YAML::Node& node) const {
  int64_t value = 0;
  if (!node.IsScalar() || !YAML::convert<int64_t>::decode(node, value))
    fail(path, node, "expected an integer, got " + describe(node));
  return value;
}

template <>
double Loader::convert<double>(const std::string& path, const YAML::Node& node) const {
  double value = 0;
  if (!node.IsScalar() || !YAML::convert<double>::decode(node, value) || !std::isfinite(value))
    fail(path, node, "expected a finite number, got " + describe(node));
  return value;
}

template <>
bool Loader::convert<bool>(const std::string& path, const YAML::Node& node) const {
  bool value = false;
  if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value))
    fail(path, node, "expected true or false, got " + describe(node));
  return value;
}

template <>
std::vector<double> Loader::convert<std::vector<double>>(const std::string& path,
                                                         const YAML::Node& node) const {
  if (!node.IsSequence()) fail(path, node, "expected a list of numbers, got " + describe(node));
  std::vector<double> values;
  for (size_t i = 0; i < node.size(); ++i)
    values.push_back(convert<double>(fmt::format("{}[{}]", path, i), node[i]));
  return values;
}

template <>
std::vector<std::string> Loader::convert<std::vector<std::string>>(const std::string& path,
                                                                   const YAML::Node& node) const {
  if (!node.IsSequence()) fail(path, node, "expected a list of strings, got " + describe(node));
  std::vector<std::string> values;
  for (size_t i = 0; i < node.size(); ++i)
    values.push_back(convert<std::string>(fmt::format("{}[{}]", path, i), node[i]));
  return values;
}

void Loader::check(const std::string& path, const YAML::Node& node, int64_t value,
                   const Range& r) const {
  check(path, node, static_cast<double>(value), r);
}

void Loader::check(const std::string& path, const YAML::Node& node, double value,
                   const Range& r) const {
  if (value < r.min || value > r.max)
    fail(path, node, fmt::format("{} is out of range [{}, {}]", value, r.min, r.max));
}

void Loader::check(const std::string& path, const YAML::Node& node,
                   const std::vector<double>& values, const Range& r) const {
  for (double value : values) check(path, node, value, r);
}

void Loader::check(const std::string& path, const YAML::Node& node, const std::string& value,
                   const Choices& choices) const {
  const auto& allowed = choices.values;
  if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return;
  std::string message = fmt::format("'{}' is not one of: {}", value, fmt::join(allowed, ", "));
  std::string near = closest_match(value, allowed);
  if (!near.empty()) message += fmt::format(" (did you mean '{}'?)", near);
  fail(path, node, message);
}

void Loader::check(const std::string& path, const YAML::Node& node, const std::vector<std::string>& values,
                   const MethodList&) const {
  std::vector<std::string> names;
  for (size_t i = 0; i < values.size(); ++i) {
    const std::string item_path = fmt::format("{}[{}]", path, i);
    const YAML::Node item = node.IsSequence() && i < node.size() ? node[i] : node;
    const std::string& spec = values[i];
    const auto colon = spec.find(':');
    const std::string name = spec.substr(0, colon);
    if (colon == std::string::npos && name != "gatys" && name != "identity")
      fail(item_path, item, fmt::format("'{}' is not NAME:CHECKPOINT, gatys or identity", spec));
    if (colon != std::string::npos && colon + 1 == spec.size())
      fail(item_path, item, fmt::format("'{}' names no checkpoint after the ':'", spec));
    const std::string problem = folder_name_problem(name);
    if (!problem.empty()) fail(item_path, item, fmt::format("method name '{}' {}", name, problem));
    if (std::find(names.begin(), names.end(), name) != names.end())
      fail(item_path, item, fmt::format("the method name '{}' is used twice", name));
    names.push_back(name);
  }
  if (values.empty()) fail(path, node, "is empty; list at least one method");
}

void Loader::reject_unknown_keys() const {
  for (const auto& item : node_) {
    const std::string key = item.first.as<std::string>();
    if (std::find(known_.begin(), known_.end(), key) != known_.end()) continue;
    const std::string path = prefix_.empty() ? key : prefix_ + "." + key;
    std::string message = "unknown key";
    std::string near = closest_match(path, config_keys());
    if (near.empty()) {
      std::vector<std::string> sections;
      for (const auto& k : known_) sections.push_back(prefix_.empty() ? k : prefix_ + "." + k);
      near = closest_match(path, sections);
    }
    if (!near.empty()) message += fmt::format(" (did you mean '{}'?)", near);
    fail(path, item.first, message);
  }
}

}  // namespace config_schema

namespace {

using config_schema::Loader;

struct Override {
  std::string text;                   // as given: "data.batch_size=4"
  std::vector<std::string> key_path;  // {"data", "batch_size"}
  YAML::Node value;
};

Override parse_override(const std::string& text) {
  const auto equals = text.find('=');
  if (equals == std::string::npos || equals == 0)
    throw ConfigError(fmt::format("override '{}': expected section.key=value", text));
  Override result;
  result.text = text;
  const std::string key = text.substr(0, equals);
  size_t start = 0;
  while (true) {
    size_t dot = key.find('.', start);
    std::string part = key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (part.empty()) throw ConfigError(fmt::format("override '{}': empty part in key '{}'", text, key));
    result.key_path.push_back(part);
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  const std::string value = text.substr(equals + 1);
  result.value = load_yaml_text(value, fmt::format("override '{}'", text), key);
  // An empty value or a bare "~" would silently reset a key: ask for explicit quotes instead.
  if (result.value.IsNull() && !value.empty() && value != "null" && value != "~")
    result.value = YAML::Node(value);
  if (value.empty()) result.value = YAML::Node(std::string());
  return result;
}

// Sets root[path...] = value, creating maps on the way; a scalar in the way is an error.
void apply_override(YAML::Node root, const Override& o) {
  std::vector<YAML::Node> chain{root};
  for (size_t i = 0; i + 1 < o.key_path.size(); ++i) {
    YAML::Node next = chain.back()[o.key_path[i]];
    if (next && !next.IsMap())
      throw ConfigError(fmt::format("override '{}': '{}' is not a section", o.text, o.key_path[i]));
    if (!next) chain.back()[o.key_path[i]] = YAML::Node(YAML::NodeType::Map);
    chain.push_back(chain.back()[o.key_path[i]]);
  }
  chain.back()[o.key_path.back()] = o.value;
}

// Checks between keys that no single key's constraint can express.
void validate_relations(const Config& config, const YAML::Node& root, const config_schema::Locate& locate) {
  auto fail = [&](const std::string& path, const std::string& reason) {
    YAML::Node node = root;
    size_t start = 0;
    while (node && start <= path.size()) {  // the deepest node of `path` present, for its line
      const size_t dot = path.find('.', start);
      YAML::Node child = node[path.substr(start, dot - start)];
      if (!child) break;
      node = child;
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    throw ConfigError(fmt::format("{}: {}: {}", locate(path, node), path, reason));
  };
  const auto& loss = config.loss;
  if (!loss.style_layer_weights.empty() && loss.style_layer_weights.size() != loss.style_layers.size())
    fail("loss.style_layer_weights", fmt::format("has {} weights for {} style_layers",
                                                 loss.style_layer_weights.size(), loss.style_layers.size()));
  if (loss.style_layers.empty() && (loss.style_gram > 0 || loss.style_moments > 0 || loss.style_w2 > 0))
    fail("loss.style_layers", "is empty but a style loss has a weight");
  for (size_t i = 0; i < loss.style_w2_layers.size(); ++i) {
    const std::string& tap = loss.style_w2_layers[i];
    if (std::find(loss.style_layers.begin(), loss.style_layers.end(), tap) == loss.style_layers.end())
      fail("loss.style_w2_layers", fmt::format("entry {} '{}' is not one of loss.style_layers", i, tap));
    if (std::find(loss.style_w2_layers.begin(), loss.style_w2_layers.begin() + i, tap) != loss.style_w2_layers.begin() + i)
      fail("loss.style_w2_layers", fmt::format("entry {} '{}' is listed twice", i, tap));
  }
  if (loss.content_layers.empty() && loss.content > 0)
    fail("loss.content_layers", "is empty but loss.content has a weight");
  const auto& model = config.model;
  if (loss.content_target == ContentTarget::kAdain && loss.content > 0 &&
      (loss.network != LossNetwork::kVgg19 || loss.content_layers != std::vector<std::string>{model.encoder_depth} ||
       (!loss.network_weights.empty() && loss.network_weights != model.encoder_weights)))
    fail("loss.content_target", fmt::format("'adain' compares VGG {0} features (model.encoder_depth) with the AdaIN "
                                            "target; it needs loss.network: vgg19 with the encoder's weights and "
                                            "loss.content_layers: [{0}] (or use 'content')", model.encoder_depth));
  for (size_t i = 0; i < model.style_encoder_moments.size(); ++i) {
    const std::string& tap = model.style_encoder_moments[i];
    static const std::vector<std::string> kMomentTaps = {"rgb", "relu1_1", "relu2_1", "relu3_1"};
    const char* path = "model.style_encoder_moments";
    if (std::find(kMomentTaps.begin(), kMomentTaps.end(), tap) == kMomentTaps.end())
      fail(path, fmt::format("entry {} '{}' is not one of rgb, relu1_1, relu2_1, relu3_1 (E_s reads VGG up to "
                             "relu3_1)", i, tap));
    if (std::find(model.style_encoder_moments.begin(), model.style_encoder_moments.begin() + i, tap) !=
        model.style_encoder_moments.begin() + i)
      fail(path, fmt::format("entry {} '{}' is listed twice", i, tap));
  }
  if (model.code_colour && model.kind != "wae" && model.kind != "linear")
    fail("model.code_colour", fmt::format("is true but only wae (its code) and linear (its transformed features) set "
                                          "a colour transform of the output (kind is {})",
                                          model.kind));
  // The decoder has one upsampling (and so one place to modulate) per level below its input.
  const int64_t later_stages = std::min<int64_t>(2, model.encoder_depth == "relu2_1" ? 1 : model.encoder_depth == "relu3_1" ? 2 : 3);
  if (model.adain_stages - 1 > later_stages)
    fail("model.adain_stages", fmt::format("is {} but a decoder from {} has {} later stage(s) to modulate",
                                           model.adain_stages, model.encoder_depth, later_stages));
}

Config load_from_node(YAML::Node root, const config_schema::Locate& locate) {
  Config config;
  if (root.IsNull()) return config;
  if (!root.IsMap())
    throw ConfigError(fmt::format("{}: expected a map of sections at the top level",
                                  locate("", root)));
  Loader loader(root, "", locate);
  config.visit(loader);
  loader.reject_unknown_keys();
  validate_relations(config, root, locate);
  return config;
}

Config load(const fs::path* file, const std::vector<std::string>& override_texts) {
  YAML::Node root(YAML::NodeType::Map);
  std::string file_name = file ? file->string() : "";
  if (file) {
    // Non-scalar and duplicate keys are refused here, naming the lines, so the visitors below
    // only ever meet plain keys and never resolve a repeated one silently to its first value.
    root = load_yaml_file(*file, "config file");
    if (root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
  }

  std::map<std::string, std::string> override_of_path;
  for (const auto& text : override_texts) {
    Override o = parse_override(text);
    if (!root.IsMap())
      throw ConfigError(fmt::format("{}: expected a map of sections at the top level", file_name));
    apply_override(root, o);
    std::string path;
    for (const auto& part : o.key_path) {
      path += (path.empty() ? "" : ".") + part;
      override_of_path[path] = o.text;
    }
  }

  auto locate = [&](const std::string& path, const YAML::Node& node) -> std::string {
    // The override that set `path` or a key above it ("loss.style_layers[1]" was set by
    // "loss.style_layers=[...]"): its nodes' positions are within the override's text, not the file.
    std::string key = path;
    while (!key.empty()) {
      auto it = override_of_path.find(key);
      if (it != override_of_path.end()) return fmt::format("override '{}'", it->second);
      const auto cut = key.find_last_of(".[");
      key = cut == std::string::npos ? "" : key.substr(0, cut);
    }
    const YAML::Mark mark = node.Mark();
    if (file && !mark.is_null()) return fmt::format("{}:{}:{}", file_name, mark.line + 1, mark.column + 1);
    return file ? file_name : "defaults";
  };
  return load_from_node(root, locate);
}

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> previous(b.size() + 1), current(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

std::string leaf(const std::string& path) {
  auto dot = path.rfind('.');
  return dot == std::string::npos ? path : path.substr(dot + 1);
}

}  // namespace

Config load_config(const fs::path& file, const std::vector<std::string>& overrides) {
  return load(&file, overrides);
}

Config config_from_overrides(const std::vector<std::string>& overrides) {
  return load(nullptr, overrides);
}

std::string config_to_yaml(const Config& config) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  config_schema::Emitter emitter(out);
  const_cast<Config&>(config).visit(emitter);
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

std::vector<std::string> config_keys() {
  std::vector<std::string> keys;
  Config config;
  config_schema::KeyLister lister(keys);
  config.visit(lister);
  return keys;
}

std::string folder_name_problem(const std::string& name) {
  constexpr size_t kMaxLength = 64;
  if (name.empty()) return "is empty";
  if (name.size() > kMaxLength) return fmt::format("is longer than {} characters", kMaxLength);
  if (name.find('/') != std::string::npos) return "is a path; it must be one plain name";
  if (name[0] == '.' || name[0] == '-') return "must not start with '.' or '-'";
  for (char c : name) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                         c == '_' || c == '.' || c == '+' || c == '-';
    // Names become paths (cells/NAME/, grid-NAME.png, sweeps/NAME/) and words in YAML lists.
    if (!allowed) return "may hold only letters, digits and _ . + - (it names output folders and files)";
  }
  return "";
}

std::string closest_match(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_distance = std::numeric_limits<size_t>::max();
  for (const auto& candidate : candidates) {
    size_t distance = edit_distance(word, candidate);
    // A key put in the wrong section ("train.batch_size") is close whatever the section names.
    if (leaf(candidate) == leaf(word) && leaf(word) != word) distance = std::min<size_t>(distance, 1);
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  const size_t allowed = std::max<size_t>(2, word.size() / 3);
  return best_distance <= allowed ? best : std::string();
}

}  // namespace varstyle
