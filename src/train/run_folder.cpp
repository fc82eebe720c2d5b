// RunFolder: lock, an existing run's settings against the new ones, ranks, the change log.
#include "train/run_folder.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <ctime>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"

namespace varstyle {
namespace fs = std::filesystem;

namespace {

constexpr const char* kLockName = "train.lock";
constexpr const char* kConfigName = "config.yaml";
constexpr const char* kChangesName = "config_changes.jsonl";

// Keys a resume may change without asking: they decide how fast, how verbosely, how often
// checkpointed and how patient with a hung peer the same run proceeds (launch scripts set
// train.threads from the node's cores), not what it trains. The bucket sizes only regroup the
// same sums (as the thread count, they may change the order of a float reduction).
bool is_free_key(const std::string& key) {
  static const std::vector<std::string> free_keys = {"train.threads",    "train.log_every", "train.timeline",
                                                     "train.time_split", "train.ckpt_every", "train.keep_last",
                                                     "train.grid_size",  "dist.timeout_s",  "dist.bucket_mb",
                                                     "dist.first_bucket_mb"};
  return key.rfind("eval.", 0) == 0 || std::find(free_keys.begin(), free_keys.end(), key) != free_keys.end();
}

std::string flow_text(const YAML::Node& node) {
  YAML::Emitter out;
  out << YAML::Flow << node;
  return out.c_str();
}

}  // namespace

std::vector<ConfigChange> config_changes(const Config& before, const Config& after) {
  const YAML::Node old_root = YAML::Load(config_to_yaml(before));
  const YAML::Node new_root = YAML::Load(config_to_yaml(after));
  std::vector<ConfigChange> changes;
  for (const auto& key : config_keys()) {
    const auto dot = key.find('.');
    const std::string section = key.substr(0, dot), name = key.substr(dot + 1);
    const std::string a = flow_text(old_root[section][name]), b = flow_text(new_root[section][name]);
    if (a != b) changes.push_back({key, a, b, is_free_key(key), ""});
  }
  return changes;
}

RunFolder::RunFolder(const RunFolderRequest& request) : dir_(request.dir) {
  const std::vector<std::string> keys = config_keys();
  for (const auto& key : request.allowed_changes)
    if (key != kRanksKey && std::find(keys.begin(), keys.end(), key) == keys.end()) {
      const std::string suggestion = closest_match(key, keys);
      problem_ = fmt::format("--allow-change: '{}' is not a configuration key{}", key,
                             suggestion.empty() ? "" : fmt::format(" (did you mean '{}'?)", suggestion));
      return;
    }
  const std::string purpose = fmt::format("varstyle train, {} rank(s)", request.ranks);
  std::error_code ec;
  try {
    // A lock file exists once a training used the folder: test it before reading anything, so
    // that a folder in use is refused naming its holder. Opening it creates nothing.
    if (fs::exists(dir_ / kLockName, ec)) lock_ = std::make_unique<FolderLock>(dir_, kLockName, purpose);
  } catch (const std::exception& e) {
    problem_ = e.what();
    return;
  }
  problem_ = check_existing_run(request);
  if (!problem_.empty()) {
    lock_.reset();
    return;
  }
  if (lock_) return;
  fs::create_directories(dir_, ec);
  if (ec) {
    problem_ = fmt::format("{}: cannot create the run folder: {}", dir_.string(), ec.message());
    return;
  }
  try {
    lock_ = std::make_unique<FolderLock>(dir_, kLockName, purpose);
  } catch (const std::exception& e) {
    problem_ = e.what();  // another training created the folder at the same moment
  }
}

std::string RunFolder::check_existing_run(const RunFolderRequest& request) {
  std::error_code ec;
  const fs::path config_file = dir_ / kConfigName;
  const std::optional<SavedRun>& saved = request.saved;
  new_run_ = !fs::exists(config_file, ec) && !saved;
  if (new_run_) return "";
  resume_step_ = saved ? saved->step : -1;
  const std::string holds =
      saved ? fmt::format("a run with checkpoints up to step {}", saved->step) : std::string("a run's config.yaml");
  if (!request.resume)
    return fmt::format("{}: holds {} already; continue it with --resume auto, or train into another --run-dir",
                       dir_.string(), holds);

  Config before;
  if (saved) {
    before = saved->config;
  } else {
    try {
      before = load_config(config_file, {});
    } catch (const std::exception& e) {
      return fmt::format("--resume: cannot compare with the run's settings: {}", e.what());
    }
    // No checkpoint yet: the run's global batch was its per-rank batch on these ranks.
    if (before.data.global_batch == 0) before.data.global_batch = before.data.batch_size * request.ranks;
  }
  changes_ = config_changes(before, request.config);
  const bool other_ranks = saved && saved->ranks != request.ranks;
  const bool same_global = before.data.global_batch == request.config.data.global_batch;
  const auto changed = [&](const std::string& key) {
    return std::any_of(changes_.begin(), changes_.end(), [&](const ConfigChange& c) { return c.key == key; });
  };
  // A new data.batch_size brings its global batch along: that change stands or falls with it.
  const bool global_follows = changed("data.batch_size") &&
                              request.config.data.global_batch == request.config.data.batch_size * request.ranks;
  std::vector<std::string> refused;
  std::string flags;
  for (auto& change : changes_) {
    if (global_follows && change.key == "data.global_batch") continue;
    const bool allowed = std::find(request.allowed_changes.begin(), request.allowed_changes.end(), change.key) !=
                         request.allowed_changes.end();
    if (change.free) change.allowed_by = "free key";
    else if (allowed) change.allowed_by = "--allow-change";
    else if (other_ranks && same_global && change.key == "data.batch_size")
      change.allowed_by = fmt::format("ranks {} -> {}, global batch {} kept", saved->ranks, request.ranks,
                                      request.config.data.global_batch);
    if (!change.allowed_by.empty()) continue;
    refused.push_back(fmt::format("{} ({} -> {})", change.key, change.before, change.after));
    flags += " --allow-change " + change.key;
  }
  for (auto& change : changes_)
    if (global_follows && change.key == "data.global_batch")
      change.allowed_by = refused.empty() ? "follows data.batch_size" : "";
  if (other_ranks) {
    // plan_batch refused the change already when batch-level terms need --allow-change ranks.
    const bool asked = std::find(request.allowed_changes.begin(), request.allowed_changes.end(), kRanksKey) !=
                       request.allowed_changes.end();
    changes_.insert(changes_.begin(), {kRanksKey, std::to_string(saved->ranks), std::to_string(request.ranks), false,
                                       asked ? "--allow-change" : "the global batch divides over them"});
  }
  if (refused.empty()) return "";
  return fmt::format("{}: --resume with settings that differ from its {}: {}; to continue the run with them, "
                     "add{} (each change is recorded in {}), or train into another --run-dir",
                     dir_.string(), kConfigName, fmt::join(refused, ", "), flags, kChangesName);
}

void RunFolder::record_settings(const std::string& config_yaml) const {
  if (!changes_.empty()) {
    const fs::path log = dir_ / kChangesName;
    std::error_code ec;
    std::string text = fs::exists(log, ec) ? read_file(log) : std::string();
    char stamp[32] = {0};
    const std::time_t now = std::time(nullptr);
    std::strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", std::localtime(&now));
    for (const auto& change : changes_) {
      const nlohmann::ordered_json line = {{"time", stamp},         {"resumed_at_step", resume_step_},
                                   {"key", change.key},     {"before", change.before},
                                   {"after", change.after}, {"allowed_by", change.allowed_by}};
      text += line.dump() + "\n";
    }
    write_file_atomic(log, text);  // the old lines and the new ones, or the old ones alone
  }
  if (new_run_ || !changes_.empty() || !fs::exists(dir_ / kConfigName)) write_file_atomic(dir_ / kConfigName, config_yaml);
}

}  // namespace varstyle
