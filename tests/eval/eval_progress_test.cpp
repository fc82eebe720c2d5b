// The evaluator's progress line: pairs, images/s and the method's ETA in closed form, the rank
// note with several ranks, and no ETA before the first pair.
#include <gtest/gtest.h>

#include "eval/eval_progress.h"

namespace varstyle {
namespace {

TEST(EvalProgressText, PairsRateAndTheMethodsEta) {
  // 4 pairs in 8 s: 0.5 img/s, 6 pairs left at 2 s each.
  const EvalProgressState state{"gatys", 2, 3, 4, 10, 1, 8.0};
  EXPECT_EQ(eval_progress_text(state), "eval gatys (method 2/3) | pairs 4/10 | 0.5 img/s | ETA 0:12");
}

TEST(EvalProgressText, HoursInTheEtaAndRankZerosShare) {
  // 1 pair in 120 s: 99 pairs left take 11880 s = 3:18:00.
  const EvalProgressState state{"gatys", 1, 1, 1, 100, 4, 120.0};
  EXPECT_EQ(eval_progress_text(state),
            "eval gatys (method 1/1) | pairs 1/100 on rank 0 of 4 | 0.00833 img/s | ETA 3:18:00");
}

TEST(EvalProgressText, NoEtaBeforeTheFirstPair) {
  const EvalProgressState state{"identity", 1, 2, 0, 16, 1, 0.0};
  EXPECT_EQ(eval_progress_text(state), "eval identity (method 1/2) | pairs 0/16 | 0 img/s | ETA ?");
}

TEST(EvalProgressText, TheLastPairLeavesNothing) {
  const EvalProgressState state{"adain", 3, 3, 16, 16, 1, 4.0};
  EXPECT_EQ(eval_progress_text(state), "eval adain (method 3/3) | pairs 16/16 | 4 img/s | ETA 0:00");
}

}  // namespace
}  // namespace varstyle
