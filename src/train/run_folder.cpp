// RunFolder: lock, an existing run's settings against the new ones, ranks, the change log.
#include "train/run_folder.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <ctime>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "checkpoint/checkpoint_store.h"

namespace varstyle {
namespace fs = std::filesystem;

namespace {

constexpr const char* kLockName = "train.lock";
constexpr const char* kConfigName = "config.yaml";
constexpr const char* kChangesName = "config_changes.jsonl";

// Keys a resume may change without asking: they decide how fast, how verbosely, how often
// checkpointed and how patient with a hung peer the same run proceeds (launch scripts set
// train.threads from the node's cores), not what it trains.
bool is_free_key(const std::string& key) {
  static const std::vector<std::string> free_keys = {"train.threads",    "train.log_every", "train.timeline",
                                                     "train.time_split", "train.ckpt_every", "train.keep_last",
                                                     "train.grid_size",  "dist.timeout_s"};
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
    if (a != b) changes.push_back({key, a, b, is_free_key(key)});
  }
  return changes;
}

RunFolder::RunFolder(const RunFolderRequest& request) : dir_(request.dir) {
  const std::vector<std::string> keys = config_keys();
  for (const auto& key : request.allowed_changes)
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
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
  const CheckpointStore store(dir_ / "checkpoints", nullptr);
  const auto latest = store.latest_complete();
  new_run_ = !fs::exists(config_file, ec) && !latest;
  if (new_run_) return "";
  resume_step_ = latest ? *latest : -1;
  const std::string holds =
      latest ? fmt::format("a run with checkpoints up to step {}", *latest) : std::string("a run's config.yaml");
  if (!request.resume)
    return fmt::format("{}: holds {} already; continue it with --resume auto, or train into another --run-dir",
                       dir_.string(), holds);

  if (latest) {
    const fs::path state_file = store.step_folder(*latest) / "state-rank0.json";
    int world_size = 0;
    try {
      world_size = nlohmann::json::parse(read_file(state_file)).at("world_size").get<int>();
    } catch (const std::exception& e) {
      return fmt::format("{}: cannot read the checkpoint's rank state: {}", state_file.string(), e.what());
    }
    if (world_size != request.ranks)
      return fmt::format("{}: was written by {} rank(s); resume it with the same number of ranks (now {})",
                         store.step_folder(*latest).string(), world_size, request.ranks);
  }

  if (!fs::exists(config_file, ec)) return "";
  Config before;
  try {
    before = load_config(config_file, {});
  } catch (const std::exception& e) {
    return fmt::format("--resume: cannot compare with the run's settings: {}", e.what());
  }
  changes_ = config_changes(before, request.config);
  std::vector<std::string> refused;
  std::string flags;
  for (const auto& change : changes_) {
    const bool allowed = std::find(request.allowed_changes.begin(), request.allowed_changes.end(), change.key) !=
                         request.allowed_changes.end();
    if (change.free || allowed) continue;
    refused.push_back(fmt::format("{} ({} -> {})", change.key, change.before, change.after));
    flags += " --allow-change " + change.key;
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
                                   {"after", change.after}, {"allowed_by", change.free ? "free key" : "--allow-change"}};
      text += line.dump() + "\n";
    }
    write_file_atomic(log, text);  // the old lines and the new ones, or the old ones alone
  }
  if (new_run_ || !changes_.empty() || !fs::exists(dir_ / kConfigName)) write_file_atomic(dir_ / kConfigName, config_yaml);
}

}  // namespace varstyle
