// The thread rule: an explicit count wins, otherwise the node's cores split among its ranks,
// never fewer than one.
#include <gtest/gtest.h>

#include "core/thread_count.h"

namespace varstyle {
namespace {

TEST(ThreadsPerRank, SplitsTheNodesCoresAmongItsRanks) {
  EXPECT_EQ(threads_per_rank(0, 1, 16), 16);
  EXPECT_EQ(threads_per_rank(0, 4, 16), 16 / 4);
  EXPECT_EQ(threads_per_rank(0, 3, 16), 16 / 3);
}

TEST(ThreadsPerRank, NeverFewerThanOne) {
  EXPECT_EQ(threads_per_rank(0, 4, 2), 1);
  EXPECT_EQ(threads_per_rank(0, 1, 0), 1);  // hardware_concurrency() unknown
  EXPECT_EQ(threads_per_rank(0, 0, 8), 8);  // no node information: one rank
}

TEST(ThreadsPerRank, AnExplicitCountWins) {
  EXPECT_EQ(threads_per_rank(3, 4, 16), 3);
  EXPECT_EQ(threads_per_rank(32, 1, 2), 32);
}

}  // namespace
}  // namespace varstyle
