// PhaseTimer: exclusive per-phase time via a chain of open scopes; device_wait for CUDA.
#include "train/phase_timer.h"

#include <spdlog/spdlog.h>
#include <torch/cuda.h>

#include <utility>

namespace varstyle {

PhaseTimer::PhaseTimer(Timeline& timeline, Record record, Wait wait_for_device, Clock clock)
    : timeline_(timeline), record_(std::move(record)), wait_for_device_(std::move(wait_for_device)),
      clock_(clock ? std::move(clock) : Clock([t = &timeline] { return t->now_us(); })) {}

double PhaseTimer::edge_us(bool in_destructor) {
  // Work enqueued before this edge belongs to the phase that enqueued it.
  if (wait_for_device_) {
    if (!in_destructor) {
      wait_for_device_();
    } else {
      try {
        wait_for_device_();
      } catch (const std::exception& e) {
        spdlog::warn("timing a training phase: waiting for the device failed: {}", e.what());
      }
    }
  }
  return clock_();
}

PhaseTimer::Scope PhaseTimer::phase(std::string metric, std::string span) {
  return Scope(*this, std::move(metric), std::move(span));
}

PhaseTimer::Scope::Scope(PhaseTimer& timer, std::string metric, std::string span)
    : timer_(timer), metric_(std::move(metric)), span_(std::move(span)), outer_(timer.innermost_),
      exceptions_at_start_(std::uncaught_exceptions()) {
  start_us_ = segment_start_us_ = timer_.edge_us();
  if (outer_) outer_->pause(start_us_);
  timer_.innermost_ = this;
}

void PhaseTimer::Scope::pause(double now_us) { seconds_ += (now_us - segment_start_us_) * 1e-6; }

PhaseTimer::Scope::~Scope() {
  // A phase left by an exception is not recorded: the step is being abandoned.
  if (std::uncaught_exceptions() > exceptions_at_start_) {
    timer_.innermost_ = outer_;
    if (outer_) outer_->resume(timer_.clock_());
    return;
  }
  const double end_us = timer_.edge_us(/*in_destructor=*/true);
  pause(end_us);
  timer_.innermost_ = outer_;
  if (outer_) outer_->resume(end_us);
  timer_.record_(metric_, seconds_);
  timer_.timeline_.add(span_, "compute", start_us_, end_us);
}

PhaseTimer::Wait device_wait(const c10::Device& device) {
  if (!device.is_cuda()) return nullptr;
  const int64_t index = device.has_index() ? device.index() : -1;
  return [index] { torch::cuda::synchronize(index); };
}

}  // namespace varstyle
