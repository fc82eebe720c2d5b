// ProgressLine: rate-limited progress reporting to stderr.
#include "progress.h"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

namespace varstyle {

using Clock = std::chrono::steady_clock;

std::string format_duration(double seconds) {
  const auto total = static_cast<int64_t>(seconds + 0.5);
  if (total >= 3600) return fmt::format("{}:{:02d}:{:02d}", total / 3600, (total / 60) % 60, total % 60);
  return fmt::format("{}:{:02d}", total / 60, total % 60);
}

ProgressLine::ProgressLine(std::string label, int64_t total, bool enabled)
    : label_(std::move(label)),
      total_(total),
      enabled_(enabled),
      terminal_(isatty(STDERR_FILENO) != 0),
      start_(Clock::now()),
      last_(start_) {}

void ProgressLine::update(int64_t done, int64_t skipped) {
  if (!enabled_) return;
  const auto now = Clock::now();
  const double since_start = std::chrono::duration<double>(now - start_).count();
  const double since_last = std::chrono::duration<double>(now - last_).count();
  if (since_start < 3.0 || since_last < (terminal_ ? 0.5 : 15.0)) return;
  last_ = now;
  print(done, skipped, false);
}

void ProgressLine::finish(int64_t done, int64_t skipped) {
  if (enabled_ && printed_) print(done, skipped, true);
}

void ProgressLine::print(int64_t done, int64_t skipped, bool final) {
  const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(done + skipped) / elapsed : 0.0;
  const int64_t left = total_ - done - skipped;
  const std::string eta = rate > 0 ? format_duration(static_cast<double>(left) / rate) : "?";
  const double percent = total_ > 0 ? 100.0 * static_cast<double>(done + skipped) / static_cast<double>(total_) : 100.0;
  std::string line = fmt::format("{}: {}/{} ({:.1f}%) {:.0f} images/s, {} {}, {} skipped", label_,
                                 done + skipped, total_, percent, rate,
                                 final ? "took" : "ETA", final ? format_duration(elapsed) : eta,
                                 skipped);
  if (terminal_) fmt::print(stderr, "\r{:<100}{}", line, final ? "\n" : "");
  else fmt::print(stderr, "{}\n", line);
  std::fflush(stderr);
  printed_ = true;
}

}  // namespace varstyle
