// A sweep: a base training config, an evaluation config, fixed overrides, and the keys to vary
// (a grid of listed values, or random draws from uniform / log-uniform / choice), expanded into
// tasks of `section.key=value` overrides. Values stay data from the spec to the trainer's argv.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace varstyle {

// The most tasks one sweep may expand into (grid product or random samples): counted before
// expanding, so a spec with a typo'd list cannot ask for 10^10 tasks.
inline constexpr int64_t kMaxSweepTasks = 10000;

struct SweepKey {
  std::string key;                    // "loss.style_gram"
  std::vector<std::string> values;    // grid values (YAML scalars as written, lists in flow form)
  std::string distribution;           // random: uniform | log_uniform | choice
  double low = 0, high = 0;
};

struct SweepSpec {
  std::string name;
  std::string config;                 // base training config
  std::string eval;                   // evaluation config
  std::string method = "model";       // the trained method's name in the evaluation
  std::string mode = "grid";          // grid | random
  int64_t samples = 4;                // random mode
  int64_t seed = 0;
  int64_t concurrency = 4;            // the job array's % limit
  int64_t ranks = 1;                  // ranks per task
  std::string metric = "gram_distance";  // ranking metric (direction: higher_is_better, eval/summary.h)
  std::vector<std::string> overrides, eval_overrides;
  std::vector<SweepKey> keys;

  // Throws ConfigError naming the file, line and key on a bad spec: unknown spec or config keys,
  // values of the wrong shape, a name unusable as a folder, more than kMaxSweepTasks tasks.
  static SweepSpec load(const std::filesystem::path& file);

  // The number of tasks expand() makes, without expanding.
  int64_t task_count() const;
};

struct SweepTask {
  int64_t index = 0;
  std::vector<std::pair<std::string, std::string>> values;  // swept key -> value
  std::vector<std::string> overrides() const;                // "key=value" for the swept keys
};

std::vector<SweepTask> expand(const SweepSpec& spec);

}  // namespace varstyle
