// Start-of-job agreement between ranks: rank 0's parameters and buffers are broadcast, and every
// rank must hold the same configuration and the same parameter names and shapes. A mismatch is
// an error naming the rank and the first difference, never a hang in a later collective.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "dist/communicator.h"

namespace varstyle {

using NamedTensors = std::vector<std::pair<std::string, at::Tensor>>;

// Throws ConfigError on every rank when any rank differs from rank 0.
void check_ranks_agree(Communicator& communicator, const std::string& config_yaml, const NamedTensors& tensors);

// Overwrites every tensor with rank 0's values (one flat buffer per dtype).
void broadcast_from_rank0(Communicator& communicator, const NamedTensors& tensors);

}  // namespace varstyle
