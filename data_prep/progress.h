// A progress line for long runs: count, images/s and ETA, shown after a few seconds; redrawn in
// place on a terminal, one line every 15 s in a log file.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace varstyle {

class ProgressLine {
 public:
  ProgressLine(std::string label, int64_t total, bool enabled = true);
  void update(int64_t done, int64_t skipped);
  void finish(int64_t done, int64_t skipped);

 private:
  void print(int64_t done, int64_t skipped, bool final);

  std::string label_;
  int64_t total_;
  bool enabled_;
  bool terminal_;
  bool printed_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace varstyle
