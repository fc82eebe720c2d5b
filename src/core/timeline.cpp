// Timeline: spans collected in memory, serialised as Chrome-trace "X" events.
#include "core/timeline.h"

#include <nlohmann/json.hpp>

namespace varstyle {

Timeline::Timeline(bool enabled, int rank)
    : enabled_(enabled), rank_(rank), origin_(std::chrono::steady_clock::now()) {}

double Timeline::now_us() const {
  return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - origin_).count();
}

void Timeline::add(const std::string& name, const std::string& category, double start_us, double end_us) {
  if (!enabled_) return;
  std::lock_guard<std::mutex> lock(mutex_);
  spans_.push_back({name, category, start_us, end_us});
}

std::string Timeline::to_json() const {
  std::lock_guard<std::mutex> lock(mutex_);
  nlohmann::json events = nlohmann::json::array();
  for (const auto& span : spans_)
    events.push_back({{"name", span.name}, {"cat", span.category}, {"ph", "X"}, {"ts", span.start_us},
                      {"dur", span.end_us - span.start_us}, {"pid", rank_},
                      {"tid", span.category == "comm" ? 1 : 0}});
  return nlohmann::json{{"traceEvents", events}, {"displayTimeUnit", "ms"}}.dump() + "\n";
}

}  // namespace varstyle
