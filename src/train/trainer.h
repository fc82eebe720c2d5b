// The training loop, one for every model kind (through StyleModel::training_step): content and
// style streams sharded over ranks, forward, backward with bucketed all-reduce, Adam with the
// configured schedule, metrics, checkpoints, resume, preemption signals, the final grid.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/config.h"
#include "dist/device_choice.h"
#include "dist/mpi_session.h"

namespace varstyle {

struct TrainRequest {
  Config config;
  std::string config_name;            // file stem, for the default run folder name
  std::filesystem::path run_dir;      // empty: runs/<config name>-<timestamp>
  bool resume = false;                // --resume auto: continue from the newest complete checkpoint
  std::vector<std::string> allowed_changes;  // --allow-change: keys a resume may change
  DeviceRequest device;               // --device: auto takes the node-local rank's GPU when there is one
};

// Returns the process exit code: 0, or ExitCode::kPreempted after a signal-triggered checkpoint.
// Everything that can refuse the run (train/preflight.h, train/run_folder.h) is checked before the
// run folder or anything in it is written; a refusal throws AgreedError on every rank.
int run_training(const TrainRequest& request, const MpiSession& session);

}  // namespace varstyle
