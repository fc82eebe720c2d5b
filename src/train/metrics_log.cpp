// MetricsLog: device-side sums, one small all-reduce per log line, JSONL + progress line.
#include "train/metrics_log.h"

#include <spdlog/spdlog.h>

#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/clock_text.h"
#include "core/error.h"
#include "train/host_reads.h"

namespace varstyle {
namespace fs = std::filesystem;

namespace {
const std::vector<std::string> kPhases = {"data", "forward", "backward", "reduce", "optimizer"};
}  // namespace

MetricsLog::MetricsLog(fs::path file, Communicator& communicator, int64_t total_steps, int64_t images_per_step)
    : file_(std::move(file)),
      communicator_(communicator),
      total_steps_(total_steps),
      images_per_step_(images_per_step),
      window_start_(std::chrono::steady_clock::now()),
      run_start_(window_start_) {}

void MetricsLog::add_terms(const LossTerms& terms, double scale) {
  for (const auto& [name, value] : terms.terms()) {
    auto it = term_sums_.find(name);
    if (it == term_sums_.end()) {
      term_names_.push_back(name);
      term_sums_[name] = value.detach().to(at::kDouble) * scale;
    } else {
      it->second += value.detach().to(at::kDouble) * scale;
    }
  }
}

void MetricsLog::add_time(const std::string& phase, double seconds) { time_sums_[phase] += seconds; }

void MetricsLog::flush(int64_t step, double learning_rate) {
  if (first_step_ < 0) first_step_ = step - steps_;
  // The terms' device sums, stacked: one host read a row.
  std::vector<double> values;
  if (!term_names_.empty()) {
    std::vector<at::Tensor> sums;
    for (const auto& name : term_names_) sums.push_back(term_sums_[name].reshape({}));
    values = host_read_values(at::stack(sums));
  }
  for (const auto& phase : kPhases) values.push_back(time_sums_[phase]);
  const int64_t host_reads = take_host_read_count();  // since the row before, this row's own read included
  values = communicator_.all_reduce_values(values, ReduceOp::kSum);
  const double ranks = communicator_.size();
  const double steps = std::max<int64_t>(1, steps_);
  const auto now = std::chrono::steady_clock::now();
  const double window = std::chrono::duration<double>(now - window_start_).count();
  const double elapsed = std::chrono::duration<double>(now - run_start_).count();

  if (communicator_.rank() == 0) {
    nlohmann::json line;
    line["step"] = step;
    line["lr"] = learning_rate;
    line["images_per_s"] = window > 0 ? static_cast<double>(images_per_step_) * steps / window : 0.0;
    nlohmann::json terms, times;
    double total = 0;
    std::string terms_text;
    for (size_t i = 0; i < term_names_.size(); ++i) {
      const double value = values[i] / ranks / steps;
      terms[term_names_[i]] = value;
      total += value;
      terms_text += fmt::format(" {} {:.4g}", term_names_[i], value);
    }
    double time_total = 0;
    for (size_t p = 0; p < kPhases.size(); ++p) time_total += values[term_names_.size() + p];
    std::string times_text;
    for (size_t p = 0; p < kPhases.size(); ++p) {
      const double seconds = values[term_names_.size() + p] / ranks / steps;
      times[kPhases[p]] = seconds;
      if (time_total > 0) times_text += fmt::format(" {} {:.0f}%", kPhases[p], 100.0 * values[term_names_.size() + p] / time_total);
    }
    line["loss"] = total;
    line["terms"] = terms;
    if (time_total > 0) line["seconds_per_step"] = times;  // absent with train.time_split off
    line["elapsed_s"] = elapsed;
    line["host_reads"] = host_reads;  // rank 0's; every rank reads alike
    std::ofstream out(file_, std::ios::app);
    out << line.dump() << "\n";
    if (!out) throw Error(fmt::format("{}: cannot append metrics", file_.string()));
    const double rate = static_cast<double>(step - first_step_) / std::max(1e-9, elapsed);
    spdlog::info("step {}/{} | {:.1f} img/s | ETA {} | loss {:.4g} |{}{}", step, total_steps_,
                 line["images_per_s"].get<double>(), duration_text(static_cast<double>(total_steps_ - step) / std::max(rate, 1e-9)),
                 total, terms_text, times_text.empty() ? "" : " |" + times_text);
  }
  for (auto& [name, sum] : term_sums_) sum.zero_();
  time_sums_.clear();
  steps_ = 0;
  window_start_ = now;
}

void MetricsLog::truncate_after(const fs::path& file, int64_t step) {
  if (!fs::exists(file)) return;
  std::istringstream in(read_file(file));
  std::string kept;
  for (std::string line; std::getline(in, line);) {
    try {
      if (nlohmann::json::parse(line).at("step").get<int64_t>() <= step) kept += line + "\n";
    } catch (const std::exception&) {
      // A line torn by the kill: dropped.
    }
  }
  write_file_atomic(file, kept);
}

}  // namespace varstyle
