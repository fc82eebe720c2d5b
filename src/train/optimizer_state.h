// Adam's per-parameter state (step, first and second moments) as named tensors, so checkpoints
// store it by parameter name ("decoder.dec1_1.weight.exp_avg") and a resume restores it exactly.
#pragma once

#include <torch/optim/adam.h>

#include <map>

#include "dist/consistency.h"

namespace varstyle {

NamedTensors adam_state_tensors(torch::optim::Adam& optimizer, const NamedTensors& parameters);
// Throws Error naming the parameter when the stored state does not fit.
void restore_adam_state(torch::optim::Adam& optimizer, const NamedTensors& parameters,
                        const std::map<std::string, at::Tensor>& stored, const std::string& file_name);

}  // namespace varstyle
