// wait_with_watchdog: poll completion, the asynchronous error and the deadline.
#include "dist/collective_watchdog.h"

#include <thread>

#include <fmt/format.h>

#include "core/error.h"

namespace varstyle {

bool check_collective(const CollectiveProbe& probe, const std::string& what, double timeout_s,
                      std::chrono::steady_clock::time_point started) {
  if (probe.done()) return true;
  const std::string error = probe.async_error();
  if (!error.empty()) {
    probe.abort();
    throw Error(fmt::format("{} on {} failed: {}; the communicator was aborted (a peer rank may have died)", what,
                            describe_process(), error));
  }
  const auto deadline = started + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                      std::chrono::duration<double>(timeout_s));
  if (std::chrono::steady_clock::now() > deadline) {
    probe.abort();
    throw Error(fmt::format("{} on {} did not finish within dist.timeout_s = {} s; the communicator was aborted "
                            "(a peer rank died, hangs, or the network failed)",
                            what, describe_process(), timeout_s));
  }
  return false;
}

void wait_with_watchdog(const CollectiveProbe& probe, const std::string& what, double timeout_s,
                        std::chrono::steady_clock::time_point started) {
  // Short sleeps: a finished all-reduce is noticed within a fraction of a millisecond, while a
  // waiting rank leaves its core to the data threads.
  constexpr auto kPollInterval = std::chrono::microseconds(50);
  while (!check_collective(probe, what, timeout_s, started)) std::this_thread::sleep_for(kPollInterval);
}

}  // namespace varstyle
