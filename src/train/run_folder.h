// The rules of a run folder, checked by rank 0 before anything is written: one training at a
// time (an flock the kernel drops however its holder ends, so a kill -9 leaves no stale lock); a
// folder that holds a run is only continued with --resume; a resume keeps the run's settings
// unless --allow-change names each changed key, and every change is appended to
// RUN/config_changes.jsonl; a resume on another number of ranks keeps the run's global batch
// (train/rank_change.h), and the rank count and the per-rank batch it implies are logged there too.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/folder_lock.h"
#include "train/rank_change.h"

namespace varstyle {

struct ConfigChange {
  std::string key;
  std::string before;
  std::string after;
  bool free = false;  // a key that does not change what is trained (threads, logging, eval.*)
  std::string allowed_by;  // why it was accepted, for config_changes.jsonl ("" while refused)
};

// The keys whose values differ between two configurations, in declaration order.
std::vector<ConfigChange> config_changes(const Config& before, const Config& after);

struct RunFolderRequest {
  std::filesystem::path dir;
  Config config;
  bool resume = false;
  std::vector<std::string> allowed_changes;  // --allow-change KEY, repeatable
  int ranks = 1;
  std::optional<SavedRun> saved;  // the folder's newest checkpoint (read_saved_run), if any
};

class RunFolder {
 public:
  // Checks the folder and, when nothing stands against the run, creates and locks it; problem()
  // then is empty. Otherwise problem() says why, naming the folder, key or holder, and nothing
  // was created or written.
  explicit RunFolder(const RunFolderRequest& request);

  const std::string& problem() const { return problem_; }
  // Once every rank agreed to start: writes config.yaml when the run is new or its settings
  // changed, and appends the changes to config_changes.jsonl.
  void record_settings(const std::string& config_yaml) const;

 private:
  std::string check_existing_run(const RunFolderRequest& request);

  std::filesystem::path dir_;
  std::unique_ptr<FolderLock> lock_;  // held for the whole training
  std::string problem_;
  bool new_run_ = true;
  int64_t resume_step_ = -1;          // newest complete checkpoint, -1 when none
  std::vector<ConfigChange> changes_;
};

}  // namespace varstyle
