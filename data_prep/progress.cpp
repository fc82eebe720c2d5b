// ProgressLine: rate-limited progress reporting to stderr.
#include "progress.h"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

#include "core/clock_text.h"

namespace varstyle {

using Clock = std::chrono::steady_clock;

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
  const std::string eta = rate > 0 ? duration_text(static_cast<double>(left) / rate) : "?";
  const double percent = total_ > 0 ? 100.0 * static_cast<double>(done + skipped) / static_cast<double>(total_) : 100.0;
  std::string line = fmt::format("{}: {}/{} ({:.1f}%) {:.0f} images/s, {} {}, {} skipped", label_,
                                 done + skipped, total_, percent, rate,
                                 final ? "took" : "ETA", final ? duration_text(elapsed) : eta,
                                 skipped);
  if (terminal_) fmt::print(stderr, "\r{:<100}{}", line, final ? "\n" : "");
  else fmt::print(stderr, "{}\n", line);
  std::fflush(stderr);
  printed_ = true;
}

}  // namespace varstyle
