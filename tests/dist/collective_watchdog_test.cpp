// The collective watchdog without NCCL: completion returns, an asynchronous error or a passed
// deadline aborts once and fails naming the rank.
#include <gtest/gtest.h>

#include "core/error.h"
#include "dist/collective_watchdog.h"

namespace varstyle {
namespace {

using Clock = std::chrono::steady_clock;

struct FakeCollective {
  int polls_until_done = -1;  // -1: never finishes
  int polls_until_error = -1;
  int polls = 0, aborts = 0;
  CollectiveProbe probe() {
    CollectiveProbe p;
    p.done = [this] { return polls_until_done >= 0 && ++polls > polls_until_done; };
    p.async_error = [this]() -> std::string {
      return polls_until_error >= 0 && polls >= polls_until_error ? "remote process exited or there was a network error" : "";
    };
    p.abort = [this] { ++aborts; };
    return p;
  }
};

TEST(CollectiveWatchdog, ReturnsOnceDone) {
  FakeCollective fake;
  fake.polls_until_done = 5;
  wait_with_watchdog(fake.probe(), "NCCL all-reduce", 60, Clock::now());
  EXPECT_EQ(fake.polls, 6);
  EXPECT_EQ(fake.aborts, 0);
}

TEST(CollectiveWatchdog, AsyncErrorAbortsAndNamesTheRank) {
  FakeCollective fake;
  fake.polls_until_done = 1000000;
  fake.polls_until_error = 3;
  try {
    wait_with_watchdog(fake.probe(), "NCCL all-reduce of 10 values", 60, Clock::now());
    FAIL() << "no error";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("rank 0"), std::string::npos) << message;
    EXPECT_NE(message.find("NCCL all-reduce of 10 values"), std::string::npos) << message;
    EXPECT_NE(message.find("network error"), std::string::npos) << message;
    EXPECT_NE(message.find("aborted"), std::string::npos) << message;
  }
  EXPECT_EQ(fake.aborts, 1);
}

TEST(CollectiveWatchdog, TimeoutAbortsAndNamesTheKey) {
  FakeCollective fake;  // never finishes, never reports
  const auto start = Clock::now();
  try {
    // Launched 5 s ago with a 1 s timeout: past the deadline at the first poll.
    wait_with_watchdog(fake.probe(), "NCCL broadcast", 1, start - std::chrono::seconds(5));
    FAIL() << "no timeout";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("rank 0"), std::string::npos) << message;
    EXPECT_NE(message.find("dist.timeout_s = 1 s"), std::string::npos) << message;
    EXPECT_NE(message.find("NCCL broadcast"), std::string::npos) << message;
  }
  EXPECT_EQ(fake.aborts, 1);
  EXPECT_LT(std::chrono::duration<double>(Clock::now() - start).count(), 1.0);
}

TEST(CollectiveWatchdog, WaitsUntilTheDeadline) {
  FakeCollective fake;
  const auto start = Clock::now();
  EXPECT_THROW(wait_with_watchdog(fake.probe(), "NCCL all-reduce", 1, start), Error);
  const double waited = std::chrono::duration<double>(Clock::now() - start).count();
  EXPECT_GE(waited, 1.0);
  EXPECT_LT(waited, 5.0);
  EXPECT_EQ(fake.aborts, 1);
}

// The check the NCCL communicator makes at each launch without waiting: a collective in flight
// is no error until its deadline; then, or on an asynchronous error, it aborts and names the key.
TEST(CollectiveWatchdog, ACheckWithoutWaitingFailsOnlyPastTheDeadlineOrOnAnError) {
  FakeCollective running;
  running.polls_until_done = 2;
  EXPECT_FALSE(check_collective(running.probe(), "NCCL all-reduce", 60, Clock::now()));
  EXPECT_FALSE(check_collective(running.probe(), "NCCL all-reduce", 60, Clock::now()));
  EXPECT_TRUE(check_collective(running.probe(), "NCCL all-reduce", 60, Clock::now()));
  EXPECT_EQ(running.aborts, 0);
  FakeCollective stuck;
  EXPECT_FALSE(check_collective(stuck.probe(), "NCCL all-reduce", 60, Clock::now()));
  try {
    check_collective(stuck.probe(), "NCCL all-reduce", 0.5, Clock::now() - std::chrono::seconds(1));
    FAIL() << "expected a timeout";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("dist.timeout_s = 0.5 s"), std::string::npos) << e.what();
  }
  EXPECT_EQ(stuck.aborts, 1);
  FakeCollective failed;
  failed.polls_until_error = 0;
  EXPECT_THROW(check_collective(failed.probe(), "NCCL all-reduce", 60, Clock::now()), Error);
  EXPECT_EQ(failed.aborts, 1);
}

}  // namespace
}  // namespace varstyle
