// The evaluator's progress line on rank 0, like train's step line: for the method being run, the
// pairs done of rank 0's share, images/s and the time left for that method.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace varstyle {

struct EvalProgressState {
  std::string method;
  size_t method_number = 1, methods = 1;  // 1-based, in eval.methods order
  int64_t done = 0, total = 0;            // pairs of rank 0's share
  int ranks = 1;
  double seconds = 0;                     // since the method started on rank 0
};

// "eval gatys (method 2/3) | pairs 4/10 | 0.5 img/s | ETA 0:12"; with several ranks the pairs
// read "pairs 4/10 on rank 0 of 4". The ETA is for the method being run: methods differ too much
// in speed (Gatys against one forward pass) to guess the ones not started.
std::string eval_progress_text(const EvalProgressState& state);

// Prints eval_progress_text through spdlog every `every_seconds` and at each method's last pair,
// so that a slow method (Gatys: minutes per pair on a CPU) shows every pair and a fast one does
// not flood the log. Does nothing where `enabled` is false (ranks other than 0).
class EvalProgress {
 public:
  EvalProgress(bool enabled, int ranks, double every_seconds = 10.0);
  void start_method(const std::string& method, size_t method_number, size_t methods, int64_t pairs);
  void pair_done();

 private:
  using Clock = std::chrono::steady_clock;
  bool enabled_;
  double every_seconds_;
  EvalProgressState state_;
  Clock::time_point method_start_, last_line_;
};

}  // namespace varstyle
