// ShardedSampler: permutations, disjoint complete cover across ranks, equal counts, the step
// union independent of the rank count, exact resume, and the too-large-batch error.
#include "data/sharded_sampler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "core/error.h"

namespace varstyle {
namespace {

TEST(ShardedSampler, PermutationIsKeyedBySeedAndEpoch) {
  auto a = ShardedSampler::permutation(1000, 42, 0);
  auto sorted = a;
  std::sort(sorted.begin(), sorted.end());
  for (int64_t i = 0; i < 1000; ++i) ASSERT_EQ(sorted[static_cast<size_t>(i)], i);
  EXPECT_EQ(a, ShardedSampler::permutation(1000, 42, 0));
  EXPECT_NE(a, ShardedSampler::permutation(1000, 42, 1));
  EXPECT_NE(a, ShardedSampler::permutation(1000, 43, 0));
}

TEST(ShardedSampler, RanksCoverTheEpochDisjointlyWithEqualCounts) {
  for (int world : {1, 2, 3, 4}) {
    const int64_t batch = 5, n = 103;
    std::set<int64_t> seen;
    int64_t steps = 0;
    for (int rank = 0; rank < world; ++rank) {
      ShardedSampler sampler(n, 7, rank, world, batch);
      steps = sampler.steps_per_epoch();
      EXPECT_EQ(steps, n / (batch * world));
      int64_t taken = 0;
      for (int64_t s = 0; s < steps; ++s) {
        for (const auto& key : sampler.next_batch()) {
          EXPECT_EQ(key.epoch, 0);
          EXPECT_TRUE(seen.insert(key.index).second) << "index " << key.index << " taken twice";
          ++taken;
        }
      }
      EXPECT_EQ(taken, steps * batch);
    }
    // Complete: exactly the first steps*W*B entries of the permutation, the remainder dropped.
    auto order = ShardedSampler::permutation(n, 7, 0);
    std::set<int64_t> expected(order.begin(), order.begin() + steps * batch * world);
    EXPECT_EQ(seen, expected) << "world " << world;
  }
}

// The union of all ranks' batches at every step is the same global batch for any W.
TEST(ShardedSampler, StepUnionIndependentOfWorldSize) {
  const int64_t n = 50, global_batch = 4, steps = 30;  // crosses several epochs
  auto union_at_steps = [&](int world) {
    std::vector<std::set<std::pair<int64_t, int64_t>>> steps_union(steps);
    for (int rank = 0; rank < world; ++rank) {
      ShardedSampler sampler(n, 3, rank, world, global_batch / world);
      for (int64_t s = 0; s < steps; ++s)
        for (const auto& key : sampler.next_batch())
          steps_union[static_cast<size_t>(s)].insert({key.index, key.epoch * 1000 + key.position});
    }
    return steps_union;
  };
  auto one = union_at_steps(1);
  EXPECT_EQ(one, union_at_steps(2));
  EXPECT_EQ(one, union_at_steps(4));
  for (const auto& step : one) EXPECT_EQ(step.size(), static_cast<size_t>(global_batch));
}

TEST(ShardedSampler, ResumesTheSameSequence) {
  ShardedSampler straight(37, 11, 1, 2, 3);
  for (int i = 0; i < 4; ++i) straight.next_batch();
  const ShardedSampler::State saved = straight.state();
  std::vector<std::vector<int64_t>> expected;
  for (int i = 0; i < 20; ++i) {
    std::vector<int64_t> indices;
    for (const auto& key : straight.next_batch()) indices.push_back(key.index);
    expected.push_back(indices);
  }
  ShardedSampler resumed(37, 11, 1, 2, 3);
  resumed.restore(saved);
  for (int i = 0; i < 20; ++i) {
    std::vector<int64_t> indices;
    for (const auto& key : resumed.next_batch()) indices.push_back(key.index);
    EXPECT_EQ(indices, expected[static_cast<size_t>(i)]) << "batch " << i;
  }
}

TEST(ShardedSampler, BatchLargerThanDatasetIsAConfigError) {
  EXPECT_THROW(ShardedSampler(10, 0, 0, 4, 3), ConfigError);
  EXPECT_THROW(ShardedSampler(10, 0, 2, 2, 1), Error);  // rank out of range
}

}  // namespace
}  // namespace varstyle
