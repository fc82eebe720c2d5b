// Start-of-job agreement between ranks: rank 0's parameters and buffers are broadcast, and every
// rank must hold the same configuration and the same parameter names and shapes. A mismatch is
// an error naming the rank and the first difference, never a hang in a later collective.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "dist/communicator.h"

namespace varstyle {

using NamedTensors = std::vector<std::pair<std::string, at::Tensor>>;

// Throws ConfigError on every rank when any rank differs from rank 0.
void check_ranks_agree(Communicator& communicator, const std::string& config_yaml, const NamedTensors& tensors);

// An error every rank raises at the same point with the same message (see refuse_together), so
// each can print it once (rank 0) and exit with its code normally: no MPI_Abort, no rank left
// waiting, and the job's exit code is the error's, whichever rank found it.
class AgreedError : public Error {
 public:
  AgreedError(const std::string& message, ExitCode code, std::string found_on)
      : Error(message, code), found_on_(std::move(found_on)) {}
  const std::string& found_on() const { return found_on_; }  // "rank 1/2 on node7"

 private:
  std::string found_on_;
};

// Collective. Each rank passes its own problem ("" when it has none); when any rank has one,
// every rank throws AgreedError with the problem of the lowest such rank.
void refuse_together(Communicator& communicator, const std::string& problem, ExitCode code = ExitCode::kBadConfig);

// Overwrites every tensor with rank 0's values (one flat buffer per dtype).
void broadcast_from_rank0(Communicator& communicator, const NamedTensors& tensors);

}  // namespace varstyle
