// ShardedSampler: one permutation of the dataset per epoch, drawn from (seed, epoch); rank r of W
// takes global positions r, r+W, r+2W, ... so that at every step the union of all ranks' batches
// is the same global batch whatever W is (for the same W x batch size). Resumable from its state.
#pragma once

#include <cstdint>
#include <vector>

namespace varstyle {

// One sample of a batch: the image index, and the keys its random augmentation is drawn from.
struct SampleKey {
  int64_t index = 0;      // image index in the dataset
  int64_t epoch = 0;
  int64_t position = 0;   // position in the epoch's global order (the same for every W)
};

class ShardedSampler {
 public:
  struct State {
    int64_t epoch = 0;
    int64_t step = 0;     // steps already taken in this epoch
    bool operator==(const State& o) const { return epoch == o.epoch && step == o.step; }
  };

  // Throws ConfigError when world * batch_size exceeds the dataset (no full step per epoch).
  ShardedSampler(int64_t dataset_size, uint64_t seed, int rank, int world_size, int64_t batch_size);

  // This rank's next batch of `batch_size` samples; wraps into the next epoch.
  std::vector<SampleKey> next_batch();

  State state() const { return state_; }
  void restore(const State& state);
  // Full global batches per epoch; the remainder of the permutation is dropped.
  int64_t steps_per_epoch() const { return steps_per_epoch_; }

  // The epoch's permutation of [0, n): Fisher-Yates driven by a generator keyed by (seed, epoch),
  // with an exact bounded draw, so it is the same on every platform and rank.
  static std::vector<int64_t> permutation(int64_t n, uint64_t seed, int64_t epoch);

 private:
  void ensure_permutation();

  int64_t dataset_size_;
  uint64_t seed_;
  int rank_;
  int world_size_;
  int64_t batch_size_;
  int64_t steps_per_epoch_;
  State state_;
  int64_t permutation_epoch_ = -1;
  std::vector<int64_t> permutation_;
};

}  // namespace varstyle
