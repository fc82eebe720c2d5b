// Sweep spec loading (yaml-cpp, errors with file:line) and grid / random expansion.
#include "sweep/sweep_spec.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include <fmt/format.h>

#include "core/config.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/yaml_file.h"

namespace varstyle {
namespace fs = std::filesystem;

namespace {

[[noreturn]] void bad(const fs::path& file, const YAML::Node& node, const std::string& what) {
  const YAML::Mark mark = node.Mark();
  throw ConfigError(fmt::format("{}:{}: {}", file.string(), mark.is_null() ? 0 : mark.line + 1, what));
}

std::string describe(const YAML::Node& node) {
  if (node.IsScalar()) return fmt::format("'{}'", node.Scalar());
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return "a map";
  return "nothing";
}

std::string text(const fs::path& file, const YAML::Node& node, const std::string& key) {
  if (!node.IsScalar()) bad(file, node, fmt::format("{}: expected a string, got {}", key, describe(node)));
  return node.Scalar();
}

int64_t integer(const fs::path& file, const YAML::Node& node, const std::string& key, int64_t low, int64_t high) {
  int64_t value = 0;
  if (!node.IsScalar() || !YAML::convert<int64_t>::decode(node, value))
    bad(file, node, fmt::format("{}: expected an integer, got {}", key, describe(node)));
  if (value < low || value > high) bad(file, node, fmt::format("{}: {} is out of range [{}, {}]", key, value, low, high));
  return value;
}

double number(const fs::path& file, const YAML::Node& node, const std::string& key) {
  double value = 0;
  if (!node.IsScalar() || !YAML::convert<double>::decode(node, value) || !std::isfinite(value))
    bad(file, node, fmt::format("{}: expected a finite number, got {}", key, describe(node)));
  return value;
}

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
std::vector<std::string> override_list(const fs::path& file, const YAML::Node& node, const std::string& key) {
  std::vector<std::string> values;
  if (!node) return values;
  if (!node.IsSequence()) bad(file, node, key + ": expected a list of section.key=value");
  for (size_t i = 0; i < node.size(); ++i) {
    const std::string where = fmt::format("{}[{}]", key, i);
    const std::string value = text(file, node[i], where);
    const auto equals = value.find('=');
    if (equals == std::string::npos || equals == 0) bad(file, node[i], where + ": expected section.key=value, got '" + value + "'");
    check_config_key(file, node[i], where, value.substr(0, equals));
    values.push_back(value);
  }
  return values;
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

}  // namespace

SweepSpec SweepSpec::load(const fs::path& file) {
  // Duplicate and non-scalar keys are refused by the loader, naming their lines.
  const YAML::Node root = load_yaml_file(file, "sweep spec");
  if (!root.IsMap())
    bad(file, root, fmt::format("expected a map of keys (name, config, eval, keys, ...), got {}", describe(root)));
  SweepSpec spec;
  const std::vector<std::string> known = {"name", "config", "eval", "method", "mode", "samples", "seed", "concurrency",
                                          "ranks", "metric", "overrides", "eval_overrides", "keys"};
  for (const auto& item : root) {
    const auto key = item.first.Scalar();
    if (std::find(known.begin(), known.end(), key) == known.end()) bad(file, item.first, "unknown key '" + key + "'");
  }
  spec.name = root["name"] ? text(file, root["name"], "name") : file.stem().string();
  // The name becomes sweeps/<name>/ and the job's name: one plain folder name, never a path.
  const std::string name_problem = folder_name_problem(spec.name);
  if (!name_problem.empty())
    bad(file, root["name"] ? root["name"] : root,
        fmt::format("name: '{}' {}{}", spec.name, name_problem, root["name"] ? "" : " (set 'name:')"));
  if (!root["config"] || !root["eval"]) bad(file, root, "'config' and 'eval' are required");
  spec.config = text(file, root["config"], "config");
  spec.eval = text(file, root["eval"], "eval");
  if (root["method"]) spec.method = text(file, root["method"], "method");
  const std::string method_problem = folder_name_problem(spec.method);
  if (!method_problem.empty()) bad(file, root["method"], fmt::format("method: '{}' {}", spec.method, method_problem));
  if (root["mode"]) spec.mode = text(file, root["mode"], "mode");
  if (spec.mode != "grid" && spec.mode != "random") bad(file, root["mode"], "mode: expected grid or random");
  if (root["samples"]) spec.samples = integer(file, root["samples"], "samples", 1, kMaxSweepTasks);
  if (root["seed"]) spec.seed = integer(file, root["seed"], "seed", 0, std::numeric_limits<int64_t>::max());
  if (root["concurrency"]) spec.concurrency = integer(file, root["concurrency"], "concurrency", 1, 100000);
  if (root["ranks"]) spec.ranks = integer(file, root["ranks"], "ranks", 1, 100000);
  if (root["metric"]) spec.metric = text(file, root["metric"], "metric");
  spec.overrides = override_list(file, root["overrides"], "overrides");
  spec.eval_overrides = override_list(file, root["eval_overrides"], "eval_overrides");
  const YAML::Node keys = root["keys"];
  if (!keys || !keys.IsMap() || keys.size() == 0) bad(file, keys ? keys : root, "'keys' must map each swept config key to its values");
  for (const auto& item : keys) {
    SweepKey key;
    key.key = item.first.Scalar();
    check_config_key(file, item.first, "keys", key.key);
    const YAML::Node& values = item.second;
    if (values.IsMap() && values.size() == 1 && values.begin()->first.IsScalar()) {
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
      if (spec.mode == "grid" && key.values.empty()) bad(file, values, key.key + ": a grid needs listed values");
    } else if (values.IsSequence()) {
      key.values = values_of(file, values, key.key);
    } else {
      bad(file, values, key.key + ": expected a list of values or {uniform|log_uniform|choice: ...}, got " + describe(values));
    }
    spec.keys.push_back(key);
  }
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
