// The global batch, and a resume on another number of ranks. data.batch_size is per rank;
// data.global_batch (0: batch_size x ranks) is the batch of one sampler step over all ranks.
// The sampler, the augmentation and the noise keys depend on (seed, epoch, global position) and
// the gradient is the mean over the global batch, so a run that keeps its global batch follows
// the same trajectory on any number of ranks that divides it, up to float reduction order. Terms
// computed within each rank's batch do not: a resume on another rank count with one of them on
// is refused unless --allow-change ranks accepts the other trajectory.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/config.h"

namespace varstyle {

// The pseudo-key --allow-change takes for a rank-count change that alters batch-level terms, and
// the key config_changes.jsonl records every rank-count change under.
inline constexpr const char* kRanksKey = "ranks";

// What a run folder's newest complete checkpoint was trained with.
struct SavedRun {
  int64_t step = 0;
  int ranks = 0;      // the world size that wrote it
  Config config;      // RUN/config.yaml, with data.global_batch filled in for runs that predate it
  // data.batch_size as the run's config file gave it ("requested_batch_size" in the rank state;
  // config.yaml holds the per-rank batch of the ranks that wrote the checkpoint).
  int64_t requested_batch = 0;
};

// The key of SavedRun::requested_batch in the checkpoint's rank state.
inline constexpr const char* kRequestedBatchKey = "requested_batch_size";

// The run folder's newest complete checkpoint and settings; nullopt when it has no checkpoint.
// Throws Error naming the file when one cannot be read.
std::optional<SavedRun> read_saved_run(const std::filesystem::path& run_dir);

// The loss terms of `config` computed within each rank's batch, each with why ("" entries none).
std::vector<std::string> batch_level_terms(const Config& config);

struct BatchPlan {
  int64_t global = 0;    // images of one sampler step over all ranks
  int64_t per_rank = 0;  // global / ranks
  std::string problem;   // non-empty: refused (exit 2), naming the numbers and what would work
};

// The batch a run on `ranks` ranks trains with. A new run (`saved` empty): data.global_batch when
// set (it must divide over the ranks), else data.batch_size x ranks. A resume keeps the saved
// run's global batch while the request's data.batch_size is the one the run's config file gave
// (the same command, requeued on other ranks); another data.batch_size or data.global_batch asks
// for that batch instead, which the run folder refuses unless --allow-change names the key.
// `allowed` is --allow-change.
BatchPlan plan_batch(const Config& request, int ranks, const std::optional<SavedRun>& saved,
                     const std::vector<std::string>& allowed);

// `config` with the plan's batch written into data.batch_size and data.global_batch.
Config with_batch(Config config, const BatchPlan& plan);

}  // namespace varstyle
