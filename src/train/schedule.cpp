// Learning-rate schedules.
#include "train/schedule.h"

#include <algorithm>
#include <cmath>

namespace varstyle {

double learning_rate_at(const OptimConfig& optim, int64_t step, int64_t total_steps) {
  double lr = optim.lr;
  const double s = static_cast<double>(step);
  if (optim.schedule == Schedule::kInverse) {
    lr = optim.lr / (1.0 + optim.decay * s);
  } else if (optim.schedule == Schedule::kCosine) {
    const double progress = std::min(1.0, s / std::max<double>(1.0, static_cast<double>(total_steps)));
    lr = optim.lr * 0.5 * (1.0 + std::cos(M_PI * progress));
  }
  if (optim.warmup > 0 && step < optim.warmup) lr *= (s + 1.0) / static_cast<double>(optim.warmup);
  return lr;
}

}  // namespace varstyle
