// PrefetchLoader: a background thread that takes batches from a ShardedSampler, reads and
// augments them, and keeps up to `prefetch` float NCHW batches ready. Batches come out in sampler
// order, so the stream is deterministic; errors on the thread resurface from next().
#pragma once

#include <ATen/ATen.h>

#include <condition_variable>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "data/augment.h"
#include "data/shard_dataset.h"
#include "data/sharded_sampler.h"

namespace varstyle {

struct Batch {
  at::Tensor images;                 // float32 [B, 3, crop, crop] in [0, 1]
  std::vector<SampleKey> keys;       // what each row is (index, epoch, position)
  ShardedSampler::State next_state;  // the sampler state after this batch: what a resume restores
};

class PrefetchLoader {
 public:
  // `seed` keys the augmentation; the sampler carries its own seed and position. With
  // `pin_memory` (a GPU run, on a LibTorch with CUDA) the thread returns page-locked batches,
  // which the trainer copies to the device without the host waiting.
  PrefetchLoader(std::shared_ptr<ShardedDataset> dataset, ShardedSampler sampler,
                 AugmentOptions options, uint64_t seed, int64_t prefetch, bool pin_memory = false);
  ~PrefetchLoader();
  PrefetchLoader(const PrefetchLoader&) = delete;
  PrefetchLoader& operator=(const PrefetchLoader&) = delete;

  Batch next();
  // Where the consumer stands: the state after the last batch next() returned.
  ShardedSampler::State state() const { return consumed_state_; }

  // Reads and augments one batch on the calling thread (used by the thread, and by tests).
  static Batch load_batch(ShardedDataset& dataset, const std::vector<SampleKey>& keys,
                          const AugmentOptions& options, uint64_t seed);

 private:
  void run();

  std::shared_ptr<ShardedDataset> dataset_;
  ShardedSampler sampler_;
  AugmentOptions options_;
  uint64_t seed_;
  size_t capacity_;
  bool pin_memory_;
  ShardedSampler::State consumed_state_;

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Batch> ready_;
  std::exception_ptr error_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace varstyle
