// Sweep spec loading (yaml-cpp, errors with file:line) and grid / random expansion.
#include "sweep/sweep_spec.h"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <random>

#include <fmt/format.h>

#include "core/error.h"
#include "core/hash.h"

namespace varstyle {
namespace fs = std::filesystem;

namespace {

[[noreturn]] void bad(const fs::path& file, const YAML::Node& node, const std::string& what) {
  const YAML::Mark mark = node.Mark();
  throw ConfigError(fmt::format("{}:{}: {}", file.string(), mark.is_null() ? 0 : mark.line + 1, what));
}

std::vector<std::string> strings(const fs::path& file, const YAML::Node& node, const std::string& key) {
  std::vector<std::string> values;
  if (!node) return values;
  if (!node.IsSequence()) bad(file, node, key + ": expected a list");
  for (const auto& item : node) values.push_back(item.as<std::string>());
  return values;
}

}  // namespace

SweepSpec SweepSpec::load(const fs::path& file) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(file.string());
  } catch (const YAML::BadFile&) {
    throw ConfigError(fmt::format("{}: sweep spec not found", file.string()));
  } catch (const YAML::ParserException& e) {
    throw ConfigError(fmt::format("{}:{}: malformed YAML: {}", file.string(), e.mark.line + 1, e.msg));
  }
  SweepSpec spec;
  const std::vector<std::string> known = {"name", "config", "eval", "method", "mode", "samples", "seed", "concurrency",
                                          "ranks", "metric", "overrides", "eval_overrides", "keys"};
  for (const auto& item : root) {
    const auto key = item.first.as<std::string>();
    if (std::find(known.begin(), known.end(), key) == known.end()) bad(file, item.first, "unknown key '" + key + "'");
  }
  try {
    spec.name = root["name"] ? root["name"].as<std::string>() : file.stem().string();
    if (!root["config"] || !root["eval"]) bad(file, root, "'config' and 'eval' are required");
    spec.config = root["config"].as<std::string>();
    spec.eval = root["eval"].as<std::string>();
    if (root["method"]) spec.method = root["method"].as<std::string>();
    if (root["mode"]) spec.mode = root["mode"].as<std::string>();
    if (root["samples"]) spec.samples = root["samples"].as<int64_t>();
    if (root["seed"]) spec.seed = root["seed"].as<int64_t>();
    if (root["concurrency"]) spec.concurrency = root["concurrency"].as<int64_t>();
    if (root["ranks"]) spec.ranks = root["ranks"].as<int64_t>();
    if (root["metric"]) spec.metric = root["metric"].as<std::string>();
  } catch (const YAML::BadConversion& e) {
    throw ConfigError(fmt::format("{}:{}: wrong type: {}", file.string(), e.mark.line + 1, e.msg));
  }
  if (spec.mode != "grid" && spec.mode != "random") bad(file, root["mode"], "mode: expected grid or random");
  if (spec.samples < 1 || spec.concurrency < 1 || spec.ranks < 1) bad(file, root, "samples, concurrency and ranks must be >= 1");
  spec.overrides = strings(file, root["overrides"], "overrides");
  spec.eval_overrides = strings(file, root["eval_overrides"], "eval_overrides");
  const YAML::Node keys = root["keys"];
  if (!keys || !keys.IsMap() || keys.size() == 0) bad(file, root, "'keys' must map each swept config key to its values");
  for (const auto& item : keys) {
    SweepKey key;
    key.key = item.first.as<std::string>();
    const YAML::Node& values = item.second;
    if (values.IsSequence()) {
      key.values = strings(file, values, key.key);
      if (key.values.empty()) bad(file, values, key.key + ": no values");
    } else if (values.IsMap() && values.size() == 1) {
      key.distribution = values.begin()->first.as<std::string>();
      const YAML::Node& arguments = values.begin()->second;
      if (key.distribution == "choice") {
        key.values = strings(file, arguments, key.key);
      } else if (key.distribution == "uniform" || key.distribution == "log_uniform") {
        if (!arguments.IsSequence() || arguments.size() != 2) bad(file, arguments, key.key + ": expected [low, high]");
        key.low = arguments[0].as<double>();
        key.high = arguments[1].as<double>();
        if (key.distribution == "log_uniform" && key.low <= 0) bad(file, arguments, key.key + ": log_uniform needs low > 0");
      } else {
        bad(file, values, key.key + ": expected a list, or one of uniform, log_uniform, choice");
      }
      if (spec.mode == "grid" && key.values.empty()) bad(file, values, key.key + ": a grid needs listed values");
    } else {
      bad(file, values, key.key + ": expected a list of values or {uniform|log_uniform|choice: ...}");
    }
    spec.keys.push_back(key);
  }
  return spec;
}

std::vector<std::string> SweepTask::overrides() const {
  std::vector<std::string> result;
  for (const auto& [key, value] : values) result.push_back(key + "=" + value);
  return result;
}

std::vector<SweepTask> expand(const SweepSpec& spec) {
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
