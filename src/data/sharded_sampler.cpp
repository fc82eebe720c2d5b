// ShardedSampler: per-epoch keyed permutation, strided rank split, drop-last, resumable state.
#include "data/sharded_sampler.h"

#include <random>

#include <fmt/format.h>

#include "core/error.h"
#include "core/hash.h"

namespace varstyle {

namespace {

// Uniform integer in [0, bound) without modulo bias (Lemire's method with rejection); unlike
// std::uniform_int_distribution its output is specified, so permutations match everywhere.
uint64_t bounded(std::mt19937_64& generator, uint64_t bound) {
  __uint128_t product = static_cast<__uint128_t>(generator()) * bound;
  auto low = static_cast<uint64_t>(product);
  if (low < bound) {
    const uint64_t threshold = (0 - bound) % bound;
    while (low < threshold) {
      product = static_cast<__uint128_t>(generator()) * bound;
      low = static_cast<uint64_t>(product);
    }
  }
  return static_cast<uint64_t>(product >> 64);
}

}  // namespace

ShardedSampler::ShardedSampler(int64_t dataset_size, uint64_t seed, int rank, int world_size,
                               int64_t batch_size)
    : dataset_size_(dataset_size),
      seed_(seed),
      rank_(rank),
      world_size_(world_size),
      batch_size_(batch_size) {
  if (world_size < 1 || rank < 0 || rank >= world_size || batch_size < 1)
    throw Error(fmt::format("ShardedSampler: invalid rank {} of {} or batch size {}", rank,
                            world_size, batch_size));
  steps_per_epoch_ = dataset_size_ / (batch_size_ * world_size_);
  if (steps_per_epoch_ < 1)
    throw ConfigError(fmt::format(
        "data.batch_size: {} ranks x batch {} = {} images per step, but the dataset holds only {}",
        world_size_, batch_size_, world_size_ * batch_size_, dataset_size_));
}

std::vector<int64_t> ShardedSampler::permutation(int64_t n, uint64_t seed, int64_t epoch) {
  std::vector<int64_t> order(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) order[static_cast<size_t>(i)] = i;
  std::mt19937_64 generator(mix_keys(seed, static_cast<uint64_t>(epoch), 0x5A4D504C45ULL));
  for (int64_t i = n - 1; i > 0; --i) {
    const auto j = static_cast<int64_t>(bounded(generator, static_cast<uint64_t>(i + 1)));
    std::swap(order[static_cast<size_t>(i)], order[static_cast<size_t>(j)]);
  }
  return order;
}

void ShardedSampler::ensure_permutation() {
  if (permutation_epoch_ == state_.epoch) return;
  permutation_ = permutation(dataset_size_, seed_, state_.epoch);
  permutation_epoch_ = state_.epoch;
}

std::vector<SampleKey> ShardedSampler::next_batch() {
  if (state_.step >= steps_per_epoch_) {
    state_.epoch += 1;
    state_.step = 0;
  }
  ensure_permutation();
  std::vector<SampleKey> batch;
  batch.reserve(static_cast<size_t>(batch_size_));
  const int64_t global_batch = batch_size_ * world_size_;
  for (int64_t j = 0; j < batch_size_; ++j) {
    // Local sample j of this step sits at global position (step * B + j) * W + rank.
    const int64_t position = state_.step * global_batch + j * world_size_ + rank_;
    batch.push_back({permutation_[static_cast<size_t>(position)], state_.epoch, position});
  }
  state_.step += 1;
  return batch;
}

void ShardedSampler::restore(const State& state) {
  if (state.epoch < 0 || state.step < 0 || state.step > steps_per_epoch_)
    throw Error(fmt::format("ShardedSampler: cannot restore epoch {} step {} ({} steps per epoch)",
                            state.epoch, state.step, steps_per_epoch_));
  state_ = state;
}

}  // namespace varstyle
