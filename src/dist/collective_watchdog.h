// Waiting for a collective without hanging forever: NCCL kernels whose peer died or whose network
// failed never finish, so the wait polls the library's asynchronous error and a deadline, and
// aborts the communicator (which ends the stuck kernels) before failing with the rank's name.
#pragma once

#include <chrono>
#include <functional>
#include <string>

namespace varstyle {

// The communicator-specific parts, so that the waiting logic is the same (and testable) without NCCL.
struct CollectiveProbe {
  std::function<bool()> done;                // the collective has completed on the device
  std::function<std::string()> async_error;  // "" while healthy, else the library's message
  std::function<void()> abort;               // tears the communicator down; called at most once
};

// Returns once probe.done(). When probe.async_error() reports, or `timeout_s` seconds have passed
// since `started`, calls probe.abort() and throws Error naming this process (rank, host), `what`
// and the reason (with dist.timeout_s for a timeout).
void wait_with_watchdog(const CollectiveProbe& probe, const std::string& what, double timeout_s,
                        std::chrono::steady_clock::time_point started);
// One look, without waiting: true once probe.done(); on the asynchronous error or past the
// deadline, aborts and throws as wait_with_watchdog does. For collectives the host does not wait
// for: checked at the next collective's launch, and waited for at log steps.
bool check_collective(const CollectiveProbe& probe, const std::string& what, double timeout_s,
                      std::chrono::steady_clock::time_point started);

}  // namespace varstyle
