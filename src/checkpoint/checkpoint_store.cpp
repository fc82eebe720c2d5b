// CheckpointStore: atomic per-file writes, barrier, DONE marker, discovery and pruning.
#include "checkpoint/checkpoint_store.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "checkpoint/tensor_file.h"

namespace varstyle {
namespace fs = std::filesystem;

namespace {
constexpr const char* kDone = "DONE";
}

CheckpointStore::CheckpointStore(fs::path folder, Communicator* communicator)
    : folder_(std::move(folder)), communicator_(communicator) {}

fs::path CheckpointStore::step_folder(int64_t step) const { return folder_ / fmt::format("step-{:07d}", step); }

void CheckpointStore::save(int64_t step, const NamedTensors& model, const NamedTensors& optimizer,
                           const std::string& rank_state, const std::string& config_yaml) {
  const int rank = communicator_ ? communicator_->rank() : 0;
  const fs::path target = step_folder(step);
  if (rank == 0) {
    // A folder left by a killed attempt at this step is incomplete by definition: start over.
    std::error_code ec;
    if (fs::exists(target) && !fs::exists(target / kDone)) fs::remove_all(target, ec);
    fs::create_directories(target, ec);
    if (ec) throw Error(fmt::format("{}: cannot create checkpoint folder: {}", target.string(), ec.message()));
  }
  if (communicator_) communicator_->barrier();
  if (rank == 0) {
    write_tensor_file(target / "model.h5", model);
    write_tensor_file(target / "optim.h5", optimizer);
    write_file_atomic(target / "config.yaml", config_yaml);
  }
  write_file_atomic(target / fmt::format("state-rank{}.json", rank), rank_state);
  if (communicator_) communicator_->barrier();
  if (rank == 0) write_file_atomic(target / kDone, fmt::format("{}\n", step));
}

std::vector<int64_t> CheckpointStore::steps_on_disk() const {
  std::vector<int64_t> steps;
  std::error_code ec;
  if (!fs::is_directory(folder_, ec)) return steps;
  for (const auto& entry : fs::directory_iterator(folder_, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("step-", 0) != 0 || name.size() != 12 || !entry.is_directory()) continue;
    try {
      steps.push_back(std::stoll(name.substr(5)));
    } catch (const std::exception&) {
    }
  }
  std::sort(steps.begin(), steps.end());
  return steps;
}

std::optional<int64_t> CheckpointStore::latest_complete(std::vector<std::string>* skipped) const {
  const auto steps = steps_on_disk();
  for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
    if (fs::exists(step_folder(*it) / kDone)) return *it;
    if (skipped) skipped->push_back(step_folder(*it).string());
  }
  return std::nullopt;
}

std::map<std::string, at::Tensor> CheckpointStore::load_model(int64_t step) const {
  return read_tensor_file(step_folder(step) / "model.h5");
}

std::map<std::string, at::Tensor> CheckpointStore::load_optimizer(int64_t step) const {
  return read_tensor_file(step_folder(step) / "optim.h5");
}

std::string CheckpointStore::load_rank_state(int64_t step, int rank) const {
  const fs::path path = step_folder(step) / fmt::format("state-rank{}.json", rank);
  if (!fs::exists(path))
    throw Error(fmt::format("{}: missing: the checkpoint holds no state for rank {}", path.string(), rank));
  return read_file(path);
}

void CheckpointStore::prune(int64_t keep) const {
  const auto steps = steps_on_disk();
  int64_t complete_seen = 0;
  std::error_code ec;
  for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
    const bool complete = fs::exists(step_folder(*it) / kDone);
    if (complete) ++complete_seen;
    // Keep the newest `keep` complete ones; incomplete folders only while newer than all kept.
    if ((complete && complete_seen > keep) || (!complete && complete_seen >= 1)) fs::remove_all(step_folder(*it), ec);
  }
}

fs::path CheckpointStore::resolve_model_file(const fs::path& path) {
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) {
    // A model.h5 named directly gets the same DONE check as its folder: until DONE is written,
    // the config.yaml beside it may be missing or left from an earlier write.
    const fs::path folder = path.parent_path().empty() ? fs::path(".") : path.parent_path();
    if (!fs::exists(folder / kDone))
      throw Error(fmt::format("{}: incomplete checkpoint (no DONE marker in {})", path.string(), folder.string()));
    return path;
  }
  if (fs::exists(path / "model.h5")) {
    if (!fs::exists(path / kDone))
      throw Error(fmt::format("{}: incomplete checkpoint (no DONE marker)", path.string()));
    return path / "model.h5";
  }
  const fs::path checkpoints = fs::exists(path / "checkpoints") ? path / "checkpoints" : path;
  CheckpointStore store(checkpoints, nullptr);
  const auto latest = store.latest_complete();
  if (!latest) throw Error(fmt::format("{}: no complete checkpoint found", path.string()));
  return store.step_folder(*latest) / "model.h5";
}

}  // namespace varstyle
