// A per-rank timeline of named spans (forward, backward, each bucket's all-reduce, waits),
// written as Chrome-trace JSON (chrome://tracing, Perfetto) so that users can see the overlap.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

namespace varstyle {

class Timeline {
 public:
  Timeline(bool enabled, int rank);
  bool enabled() const { return enabled_; }
  double now_us() const;  // microseconds since the timeline started
  void add(const std::string& name, const std::string& category, double start_us, double end_us);
  std::string to_json() const;

 private:
  struct Span {
    std::string name, category;
    double start_us, end_us;
  };
  bool enabled_;
  int rank_;
  std::chrono::steady_clock::time_point origin_;
  mutable std::mutex mutex_;
  std::vector<Span> spans_;
};

}  // namespace varstyle
