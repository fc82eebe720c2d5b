// PhaseTimer: the training step's time split (data, forward, backward, reduce, optimizer) from
// scoped phases, one clock read per phase edge feeding both the metrics sums and the timeline.
#pragma once

#include <c10/core/Device.h>

#include <exception>
#include <functional>
#include <string>

#include "core/timeline.h"

namespace varstyle {

class PhaseTimer {
 public:
  using Record = std::function<void(const std::string& phase, double seconds)>;
  using Wait = std::function<void()>;
  using Clock = std::function<double()>;  // microseconds

  class Scope {
   public:
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;
    ~Scope();

   private:
    friend class PhaseTimer;
    Scope(PhaseTimer& timer, std::string metric, std::string span);
    void pause(double now_us);
    void resume(double now_us) { segment_start_us_ = now_us; }

    PhaseTimer& timer_;
    std::string metric_, span_;
    Scope* outer_;
    int exceptions_at_start_;
    double start_us_, segment_start_us_;
    double seconds_ = 0;
  };

  // `record` receives each phase's seconds when it ends. `wait_for_device` runs before every
  // phase edge is read (see device_wait). `clock` defaults to the timeline's.
  PhaseTimer(Timeline& timeline, Record record, Wait wait_for_device = nullptr, Clock clock = nullptr);

  // Times until the returned scope ends: recorded as `metric`, drawn as the timeline span `span`.
  // A phase opened inside another is charged to itself alone; time outside every phase is not
  // recorded, so the phases' sum never counts a moment twice.
  [[nodiscard]] Scope phase(std::string metric, std::string span);
  [[nodiscard]] Scope phase(const std::string& name) { return phase(name, name); }

 private:
  // Waits for the device, then reads the clock. `in_destructor`: a failed wait is logged, not
  // thrown (CUDA errors are sticky, so the step's next device call reports it).
  double edge_us(bool in_destructor = false);

  Timeline& timeline_;
  Record record_;
  Wait wait_for_device_;
  Clock clock_;
  Scope* innermost_ = nullptr;
};

// What PhaseTimer waits for at phase edges: nothing on the CPU; on CUDA, the device, since kernels
// run asynchronously and the host clock alone would charge a phase only for enqueueing its work.
PhaseTimer::Wait device_wait(const c10::Device& device);

}  // namespace varstyle
