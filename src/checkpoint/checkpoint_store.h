// Checkpoints as RUN/checkpoints/step-NNNNNNN/: model.h5 and optim.h5 (rank 0), state-rank<r>.json
// (every rank: step, sampler positions), config.yaml, and DONE written last by rank 0 after a
// barrier. Every file is written atomically; a folder without DONE is incomplete and ignored.
// The store knows named tensors and text, nothing of models.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dist/communicator.h"
#include "dist/consistency.h"

namespace varstyle {

class CheckpointStore {
 public:
  CheckpointStore(std::filesystem::path folder, Communicator* communicator);

  // Collective: every rank calls it with its own `rank_state`.
  void save(int64_t step, const NamedTensors& model, const NamedTensors& optimizer,
            const std::string& rank_state, const std::string& config_yaml);
  // Newest step whose folder has DONE; incomplete folders newer than it are returned in `skipped`.
  std::optional<int64_t> latest_complete(std::vector<std::string>* skipped = nullptr) const;
  std::map<std::string, at::Tensor> load_model(int64_t step) const;
  std::map<std::string, at::Tensor> load_optimizer(int64_t step) const;
  std::string load_rank_state(int64_t step, int rank) const;
  // Rank 0: deletes all but the newest `keep` complete checkpoints and older incomplete ones.
  void prune(int64_t keep) const;

  std::filesystem::path step_folder(int64_t step) const;
  const std::filesystem::path& folder() const { return folder_; }

  // A checkpoint folder (step-NNNNNNN, or a run folder holding checkpoints/) -> its model file.
  static std::filesystem::path resolve_model_file(const std::filesystem::path& checkpoint_or_run);

 private:
  std::vector<int64_t> steps_on_disk() const;

  std::filesystem::path folder_;
  Communicator* communicator_;
};

}  // namespace varstyle
