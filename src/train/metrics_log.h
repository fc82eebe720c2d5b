// Training metrics: loss terms and the time split (data wait, forward, backward, all-reduce wait,
// optimiser) summed over steps, averaged over ranks every train.log_every steps; rank 0 appends
// one JSON line to RUN/metrics.jsonl and prints one progress line.
#pragma once

#include <ATen/ATen.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "dist/communicator.h"
#include "models/style_model.h"

namespace varstyle {

class MetricsLog {
 public:
  // `images_per_step`: content images over all ranks and micro-steps of one optimiser step.
  MetricsLog(std::filesystem::path file, Communicator& communicator, int64_t total_steps, int64_t images_per_step);

  void add_terms(const LossTerms& terms, double scale);
  void add_time(const std::string& phase, double seconds);
  void step_done() { ++steps_; }
  // Collective. Averages since the last flush over steps and ranks; rank 0 writes and prints.
  void flush(int64_t step, double learning_rate);

  // Keeps only lines with "step" <= `step` (after a resume, the killed run's later lines go).
  static void truncate_after(const std::filesystem::path& file, int64_t step);

 private:
  std::filesystem::path file_;
  Communicator& communicator_;
  int64_t total_steps_;
  int64_t images_per_step_;
  std::vector<std::string> term_names_;  // first-seen order, the same on every rank
  std::map<std::string, at::Tensor> term_sums_;
  std::map<std::string, double> time_sums_;
  int64_t steps_ = 0;
  std::chrono::steady_clock::time_point window_start_, run_start_;
  int64_t first_step_ = -1;
};

}  // namespace varstyle
