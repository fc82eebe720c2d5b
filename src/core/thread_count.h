// CPU threads per process: the node's cores shared by the ranks on that node, the one rule that
// train, eval, stylize, sample and bench follow unless a thread option or key says otherwise.
#pragma once

#include <algorithm>
#include <cstdint>
#include <thread>

namespace varstyle {

// `requested` > 0 wins; otherwise cores / node-local ranks, at least 1, so that ranks sharing a
// node do not each start a pool as large as the node (hardware_concurrency may report 0).
inline int threads_per_rank(int64_t requested, int local_ranks,
                            unsigned cores = std::thread::hardware_concurrency()) {
  if (requested > 0) return static_cast<int>(requested);
  return std::max(1, static_cast<int>(cores) / std::max(1, local_ranks));
}

}  // namespace varstyle
