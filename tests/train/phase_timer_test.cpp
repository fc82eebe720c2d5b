// PhaseTimer: each phase is charged its own time only (a nested phase's time leaves the outer
// one, time between phases goes nowhere), one record and one timeline span per phase, the device
// wait inside the phase it ends, and a phase left by an exception not recorded. A fake clock
// gives closed-form seconds.
#include <gtest/gtest.h>

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "train/phase_timer.h"

namespace varstyle {
namespace {

struct Recorder {
  double now_us = 0;
  std::map<std::string, double> seconds;
  std::vector<std::string> order;
  Timeline timeline{/*enabled=*/true, /*rank=*/0};

  PhaseTimer timer(PhaseTimer::Wait wait = nullptr) {
    return PhaseTimer(
        timeline,
        [this](const std::string& phase, double s) {
          seconds[phase] += s;
          order.push_back(phase);
        },
        std::move(wait), [this] { return now_us; });
  }
  void advance_ms(double ms) { now_us += ms * 1000; }
};

TEST(PhaseTimer, AccumulatesPerPhaseAndSkipsTimeBetweenPhases) {
  Recorder r;
  PhaseTimer timer = r.timer();
  for (int step = 0; step < 3; ++step) {
    {
      auto data = timer.phase("data");
      r.advance_ms(2);
    }
    r.advance_ms(100);  // outside every phase
    {
      auto forward = timer.phase("forward");
      r.advance_ms(5);
    }
  }
  EXPECT_DOUBLE_EQ(r.seconds["data"], 3 * 0.002);
  EXPECT_DOUBLE_EQ(r.seconds["forward"], 3 * 0.005);
  EXPECT_EQ(r.order.size(), 6u);
}

TEST(PhaseTimer, NestedPhaseIsExcludedFromTheOuter) {
  Recorder r;
  PhaseTimer timer = r.timer();
  {
    auto outer = timer.phase("outer");
    r.advance_ms(1);
    {
      auto inner = timer.phase("inner");
      r.advance_ms(10);
    }
    r.advance_ms(2);
  }
  EXPECT_DOUBLE_EQ(r.seconds["outer"], 0.003);
  EXPECT_DOUBLE_EQ(r.seconds["inner"], 0.010);
  EXPECT_EQ(r.order, (std::vector<std::string>{"inner", "outer"}));
}

TEST(PhaseTimer, TimelineSpansUseTheSpanNameAndTheWholeInterval) {
  Recorder r;
  PhaseTimer timer = r.timer();
  r.advance_ms(1);
  {
    auto reduce = timer.phase("reduce", "reduce wait");
    r.advance_ms(4);
  }
  const auto events = nlohmann::json::parse(r.timeline.to_json()).at("traceEvents");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].at("name"), "reduce wait");
  EXPECT_DOUBLE_EQ(events[0].at("ts").get<double>(), 1000);
  EXPECT_DOUBLE_EQ(events[0].at("dur").get<double>(), 4000);
  EXPECT_DOUBLE_EQ(r.seconds["reduce"], 0.004);
}

// Work still running on the device when a phase ends is charged to that phase, not the next.
TEST(PhaseTimer, DeviceWaitIsChargedToThePhaseItEnds) {
  Recorder r;
  int waits = 0;
  PhaseTimer timer = r.timer([&] {
    ++waits;
    r.advance_ms(7);  // the device finishing queued work
  });
  {
    auto forward = timer.phase("forward");  // start edge: 7 ms of earlier work, not this phase's
    r.advance_ms(1);
  }
  EXPECT_EQ(waits, 2);
  EXPECT_DOUBLE_EQ(r.seconds["forward"], 0.008);
}

TEST(PhaseTimer, PhaseLeftByAnExceptionIsNotRecorded) {
  Recorder r;
  PhaseTimer timer = r.timer();
  {
    auto outer = timer.phase("outer");
    EXPECT_THROW(
        {
          auto failing = timer.phase("failing");
          r.advance_ms(3);
          throw std::runtime_error("forward failed");
        },
        std::runtime_error);
    r.advance_ms(2);
  }
  EXPECT_EQ(r.seconds.count("failing"), 0u);
  EXPECT_DOUBLE_EQ(r.seconds["outer"], 0.002);
}

TEST(PhaseTimer, NoDeviceWaitOnTheCpu) { EXPECT_FALSE(device_wait(c10::Device(c10::kCPU))); }

}  // namespace
}  // namespace varstyle
