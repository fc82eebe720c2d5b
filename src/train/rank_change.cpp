// The global batch of a new run or a resume, what a rank-count change cannot carry over.
#include "train/rank_change.h"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "checkpoint/checkpoint_store.h"
#include "core/atomic_file.h"
#include "core/error.h"

namespace varstyle {
namespace fs = std::filesystem;

namespace {

// The rank counts a global batch divides over, for the refusal's "resume on ..." hint.
std::string divisors_text(int64_t global) {
  std::vector<std::string> counts;
  for (int64_t d = 1; d <= global; ++d)
    if (global % d == 0) counts.push_back(std::to_string(d));
  return fmt::format("{}", fmt::join(counts, ", "));
}

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

}  // namespace

std::optional<SavedRun> read_saved_run(const fs::path& run_dir) {
  const CheckpointStore store(run_dir / "checkpoints", nullptr);
  const auto latest = store.latest_complete();
  if (!latest) return std::nullopt;
  SavedRun saved;
  saved.step = *latest;
  const fs::path state_file = store.step_folder(*latest) / "state-rank0.json";
  nlohmann::json state;
  try {
    state = nlohmann::json::parse(read_file(state_file));
    saved.ranks = state.at("world_size").get<int>();
  } catch (const std::exception& e) {
    throw Error(fmt::format("{}: cannot read the checkpoint's rank state: {}", state_file.string(), e.what()));
  }
  if (saved.ranks < 1) throw Error(fmt::format("{}: world_size {} is not a rank count", state_file.string(), saved.ranks));
  // The run's settings; the checkpoint's own copy when RUN/config.yaml is gone.
  fs::path config_file = run_dir / "config.yaml";
  std::error_code ec;
  if (!fs::exists(config_file, ec)) config_file = store.step_folder(*latest) / "config.yaml";
  saved.config = load_config(config_file, {});
  // Runs written before data.global_batch existed hold 0 there: their global batch was B x W.
  if (saved.config.data.global_batch == 0) saved.config.data.global_batch = saved.config.data.batch_size * saved.ranks;
  saved.requested_batch = state.value(kRequestedBatchKey, saved.config.data.batch_size);
  return saved;
}

std::vector<std::string> batch_level_terms(const Config& config) {
  const LossConfig& loss = config.loss;
  std::vector<std::string> terms;
  const bool coded = config.model.kind == "vst" || config.model.kind == "wae";
  if (config.model.kind == "vst" && loss.disentangle > 0)
    terms.push_back("loss.disentangle (pairs each content with the next one in the rank's batch)");
  if (config.model.kind == "wae" && loss.mmd > 0)
    terms.push_back("loss.mmd (compares the codes of the rank's batch with prior samples)");
  if (coded && loss.kl > 0 && loss.kl_free_bits > 0)
    terms.push_back("loss.kl with loss.kl_free_bits (the floor applies to each dimension's mean over the rank's batch)");
  return terms;
}

BatchPlan plan_batch(const Config& request, int ranks, const std::optional<SavedRun>& saved,
                     const std::vector<std::string>& allowed) {
  const DataConfig& data = request.data;
  BatchPlan plan;
  std::string source;
  if (data.global_batch > 0) {
    plan.global = data.global_batch;
    source = fmt::format("data.global_batch {}", plan.global);
  } else if (saved && data.batch_size == saved->requested_batch) {
    // The run's own config file: its global batch, whatever the rank count now.
    plan.global = saved->config.data.global_batch;
    source = fmt::format("the run's global batch {} ({} per rank x {} rank(s))", plan.global,
                         saved->config.data.batch_size, saved->ranks);
  } else {
    plan.global = data.batch_size * ranks;
  }
  if (plan.global % ranks != 0) {
    plan.problem = fmt::format("{} does not divide over {} rank(s); run on {} rank(s), or set data.global_batch",
                               source, ranks, divisors_text(plan.global));
    return plan;
  }
  plan.per_rank = plan.global / ranks;
  if (saved && saved->ranks != ranks && !contains(allowed, kRanksKey)) {
    const std::vector<std::string> terms = batch_level_terms(request);
    if (!terms.empty())
      plan.problem = fmt::format(
          "resuming a run written by {} rank(s) on {}: {} {} computed within each rank's batch ({} image(s) now, {} "
          "before), so the run would not continue as it would have on {} rank(s); resume on {} rank(s), or add "
          "--allow-change {} to continue with the changed term(s) (recorded in config_changes.jsonl)",
          saved->ranks, ranks, fmt::join(terms, "; "), terms.size() == 1 ? "is" : "are", plan.per_rank,
          saved->config.data.batch_size, saved->ranks, saved->ranks, kRanksKey);
  }
  return plan;
}

Config with_batch(Config config, const BatchPlan& plan) {
  config.data.batch_size = plan.per_rank;
  config.data.global_batch = plan.global;
  return config;
}

}  // namespace varstyle
