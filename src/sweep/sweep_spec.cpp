// Sweep spec loading (yaml-cpp, errors with file:line) and grid / random expansion.
#include "sweep/sweep_spec.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include <fmt/format.h>

#include "core/config.h"
#include "core/config_schema.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/yaml_file.h"

namespace varstyle {
namespace fs = std::filesystem;

namespace {

[[noreturn]] void bad(const fs::path& file, const YAML::Node& node, const std::string& what) {
  throw ConfigError(fmt::format("{}: {}", yaml_location(file.string(), node), what));
}

std::string describe(const YAML::Node& node) {
  if (node.IsScalar()) return fmt::format("'{}'", node.Scalar());
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return "a map";
  return "nothing";
}

double number(const fs::path& file, const YAML::Node& node, const std::string& key) {
  double value = 0;
  if (!node.IsScalar() || !YAML::convert<double>::decode(node, value) || !std::isfinite(value))
    bad(file, node, fmt::format("{}: expected a finite number, got {}", key, describe(node)));
  return value;
}

// The spec's own keys, walked like a config section (config_schema.h): an unknown key gets "did
// you mean", a value its type and range check, a message the file, line and column.
struct SpecFields {
  SweepSpec& spec;
  YAML::Node keys;  // the swept keys, read by load_swept_key

  template <typename V>
  void visit(V& v) {
    v("name", spec.name);
    v("config", spec.config);
    v("eval", spec.eval);
    v("method", spec.method);
    v("mode", spec.mode, Choices{{"grid", "random"}});
    v("samples", spec.samples, Range{1, static_cast<double>(kMaxSweepTasks)});
    v("seed", spec.seed, Range{0, 9223372036854775807.0});
    v("concurrency", spec.concurrency, Range{1, 100000});
    v("ranks", spec.ranks, Range{1, 100000});
    v("metric", spec.metric);
    v("overrides", spec.overrides);
    v("eval_overrides", spec.eval_overrides);
    v("keys", keys);
  }
};

// A config key path must exist, so that a typo fails here (and in --dry-run), not in every task.
void check_config_key(const fs::path& file, const YAML::Node& node, const std::string& where, const std::string& key) {
  static const std::vector<std::string> known = config_keys();
  if (std::find(known.begin(), known.end(), key) != known.end()) return;
  std::string message = fmt::format("{}: '{}' is not a config key", where, key);
  const std::string near = closest_match(key, known);
  if (!near.empty()) message += fmt::format(" (did you mean '{}'?)", near);
  bad(file, node, message);
}

// "section.key=value" overrides applied to every task; their keys are checked like swept keys.
void check_overrides(const fs::path& file, const YAML::Node& node, const std::string& key,
                     const std::vector<std::string>& values) {
  for (size_t i = 0; i < values.size(); ++i) {
    const std::string where = fmt::format("{}[{}]", key, i);
    const auto equals = values[i].find('=');
    if (equals == std::string::npos || equals == 0)
      bad(file, node[i], where + ": expected section.key=value, got '" + values[i] + "'");
    check_config_key(file, node[i], where, values[i].substr(0, equals));
  }
}

// The name becomes sweeps/<name>/ and the job's name, the method a folder of the evaluation: each
// one plain folder name, never a path.
void check_names(const fs::path& file, const YAML::Node& root, const SweepSpec& spec) {
  const std::string name_problem = folder_name_problem(spec.name);
  if (!name_problem.empty())
    bad(file, root["name"] ? root["name"] : root,
        fmt::format("name: '{}' {}{}", spec.name, name_problem, root["name"] ? "" : " (set 'name:')"));
  const std::string method_problem = folder_name_problem(spec.method);
  if (!method_problem.empty()) bad(file, root["method"], fmt::format("method: '{}' {}", spec.method, method_problem));
}

// A swept value as override text: scalars as written, lists in YAML flow form ("[a, b]"). A map
// is no value any config key takes.
std::vector<std::string> values_of(const fs::path& file, const YAML::Node& node, const std::string& key) {
  if (!node.IsSequence()) bad(file, node, fmt::format("{}: expected a list of values, got {}", key, describe(node)));
  std::vector<std::string> values;
  for (size_t i = 0; i < node.size(); ++i) {
    const YAML::Node& item = node[i];
    if (item.IsScalar()) {
      values.push_back(item.Scalar());
    } else if (item.IsSequence()) {
      YAML::Emitter out;
      out << YAML::Flow << item;
      values.push_back(out.c_str());
    } else {
      bad(file, item, fmt::format("{}[{}]: expected a value or a list, got {}", key, i, describe(item)));
    }
  }
  if (values.empty()) bad(file, node, key + ": needs at least one value");
  return values;
}

// `{uniform | log_uniform | choice: ...}`: a distribution to draw from in random mode.
void load_distribution(const fs::path& file, const YAML::Node& values, const std::string& mode, SweepKey& key) {
  key.distribution = values.begin()->first.Scalar();
  const YAML::Node& arguments = values.begin()->second;
  const std::string where = key.key + ": " + key.distribution;
  if (key.distribution == "choice") {
    key.values = values_of(file, arguments, where);
  } else if (key.distribution == "uniform" || key.distribution == "log_uniform") {
    if (!arguments.IsSequence() || arguments.size() != 2) bad(file, arguments, where + ": expected [low, high]");
    key.low = number(file, arguments[0], where + " low");
    key.high = number(file, arguments[1], where + " high");
    if (key.low > key.high) bad(file, arguments, where + ": low is above high");
    if (key.distribution == "log_uniform" && key.low <= 0) bad(file, arguments, where + ": log_uniform needs low > 0");
  } else {
    bad(file, values, key.key + ": expected a list, or one of uniform, log_uniform, choice");
  }
  if (mode == "grid" && key.values.empty()) bad(file, values, key.key + ": a grid needs listed values");
}

// One entry of `keys`: a config key and its listed values or its distribution.
SweepKey load_swept_key(const fs::path& file, const YAML::Node& name, const YAML::Node& values, const std::string& mode) {
  SweepKey key;
  key.key = name.Scalar();
  check_config_key(file, name, "keys", key.key);
  if (values.IsMap() && values.size() == 1 && values.begin()->first.IsScalar()) {
    load_distribution(file, values, mode, key);
  } else if (values.IsSequence()) {
    key.values = values_of(file, values, key.key);
  } else {
    bad(file, values, key.key + ": expected a list of values or {uniform|log_uniform|choice: ...}, got " + describe(values));
  }
  return key;
}

}  // namespace

SweepSpec SweepSpec::load(const fs::path& file) {
  // Duplicate and non-scalar keys are refused by the loader, naming their lines.
  const YAML::Node root = load_yaml_file(file, "sweep spec");
  if (!root.IsMap())
    bad(file, root, fmt::format("expected a map of keys (name, config, eval, keys, ...), got {}", describe(root)));
  SweepSpec spec;
  spec.name = file.stem().string();
  SpecFields fields{spec, {}};
  config_schema::Loader loader(root, "", [&](const std::string&, const YAML::Node& node) {
    return yaml_location(file.string(), node);
  });
  fields.visit(loader);
  loader.reject_unknown_keys();
  check_names(file, root, spec);
  if (!root["config"] || !root["eval"]) bad(file, root, "'config' and 'eval' are required");
  check_overrides(file, root["overrides"], "overrides", spec.overrides);
  check_overrides(file, root["eval_overrides"], "eval_overrides", spec.eval_overrides);
  const YAML::Node& keys = fields.keys;
  if (!keys.IsMap() || keys.size() == 0)
    bad(file, root["keys"] ? root["keys"] : root, "'keys' must map each swept config key to its values");
  for (const auto& item : keys) spec.keys.push_back(load_swept_key(file, item.first, item.second, spec.mode));
  if (spec.task_count() > kMaxSweepTasks) {
    std::vector<size_t> sizes;
    for (const auto& key : spec.keys) sizes.push_back(key.values.size());
    bad(file, keys, fmt::format("keys: the grid has {} tasks, more than the limit of {} (split the sweep, or use "
                                "mode: random)", fmt::join(sizes, " x "), kMaxSweepTasks));
  }
  return spec;
}

int64_t SweepSpec::task_count() const {
  if (mode != "grid") return samples;
  // Capped at each step, so the product cannot overflow whatever the lists hold.
  int64_t count = 1;
  for (const auto& key : keys) count = std::min<int64_t>(count * static_cast<int64_t>(key.values.size()), kMaxSweepTasks + 1);
  return count;
}

std::vector<std::string> SweepTask::overrides() const {
  std::vector<std::string> result;
  for (const auto& [key, value] : values) result.push_back(key + "=" + value);
  return result;
}

std::vector<SweepTask> expand(const SweepSpec& spec) {
  if (spec.task_count() > kMaxSweepTasks)
    throw ConfigError(fmt::format("sweep '{}': more than {} tasks", spec.name, kMaxSweepTasks));
  std::vector<SweepTask> tasks;
  if (spec.mode == "grid") {
    std::vector<size_t> position(spec.keys.size(), 0);
    while (true) {
      SweepTask task;
      task.index = static_cast<int64_t>(tasks.size());
      for (size_t k = 0; k < spec.keys.size(); ++k) task.values.emplace_back(spec.keys[k].key, spec.keys[k].values[position[k]]);
      tasks.push_back(task);
      size_t k = spec.keys.size();
      while (k > 0 && ++position[k - 1] == spec.keys[k - 1].values.size()) position[--k] = 0;
      if (k == 0) break;
    }
    return tasks;
  }
  for (int64_t i = 0; i < spec.samples; ++i) {
    SweepTask task;
    task.index = i;
    std::mt19937_64 generator(mix_keys(static_cast<uint64_t>(spec.seed), static_cast<uint64_t>(i), 0x5EE9ULL));
    auto unit = [&] { return static_cast<double>(generator() >> 11) / 9007199254740992.0; };
    for (const auto& key : spec.keys) {
      std::string value;
      if (!key.values.empty()) {
        value = key.values[static_cast<size_t>(generator() % key.values.size())];
      } else if (key.distribution == "uniform") {
        value = fmt::format("{:.6g}", key.low + unit() * (key.high - key.low));
      } else {
        value = fmt::format("{:.6g}", std::exp(std::log(key.low) + unit() * (std::log(key.high) - std::log(key.low))));
      }
      task.values.emplace_back(key.key, value);
    }
    tasks.push_back(task);
  }
  return tasks;
}

}  // namespace varstyle
