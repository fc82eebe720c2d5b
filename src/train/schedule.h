// Learning-rate schedules: constant; inverse, lr / (1 + decay * step) (the AdaIN and Linear
// reference schedule); cosine, lr * (1 + cos(pi * step / steps)) / 2; each with optional linear
// warm-up over the first `warmup` steps.
#pragma once

#include <cstdint>

#include "core/config.h"

namespace varstyle {

double learning_rate_at(const OptimConfig& optim, int64_t step, int64_t total_steps);

}  // namespace varstyle
