// Times as text, one format each: durations of runs and jobs ("1:02:03", "4:05"), and the local
// time stamps that name default output folders (runs/NAME-20250101-120000, evals/eval-...).
#pragma once

#include <cstdint>
#include <ctime>
#include <string>

#include <fmt/format.h>

namespace varstyle {

// Whole seconds, rounded: "H:MM:SS" from an hour on, "M:SS" below.
inline std::string duration_text(double seconds) {
  const auto total = static_cast<int64_t>(seconds + 0.5);
  if (total >= 3600) return fmt::format("{}:{:02d}:{:02d}", total / 3600, (total / 60) % 60, total % 60);
  return fmt::format("{}:{:02d}", total / 60, total % 60);
}

// The local time now in strftime's `format`.
inline std::string local_time_text(const char* format) {
  char text[64] = {0};
  const std::time_t now = std::time(nullptr);
  std::strftime(text, sizeof(text), format, std::localtime(&now));
  return text;
}

// "PREFIX-YYYYmmdd-HHMMSS": the default name of an output folder.
inline std::string timestamped_name(const std::string& prefix) {
  return fmt::format("{}-{}", prefix, local_time_text("%Y%m%d-%H%M%S"));
}

}  // namespace varstyle
