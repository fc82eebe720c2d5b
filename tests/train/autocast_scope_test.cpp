// AutocastScope: no autocast call when bf16 is off; on, CUDA autocast holds for the scope only.
#include <gtest/gtest.h>

#include "train/autocast_scope.h"

namespace varstyle {
namespace {

TEST(AutocastScope, OffLeavesAutocastAlone) {
  ASSERT_FALSE(cuda_autocast_enabled());
  {
    AutocastScope scope(false);
    EXPECT_FALSE(cuda_autocast_enabled());
  }
  EXPECT_FALSE(cuda_autocast_enabled());
}

TEST(AutocastScope, OnForTheScopeOnly) {
  {
    AutocastScope scope(true);
    EXPECT_TRUE(cuda_autocast_enabled());
  }
  EXPECT_FALSE(cuda_autocast_enabled());
}

}  // namespace
}  // namespace varstyle
