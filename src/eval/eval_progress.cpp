// EvalProgress: rank 0's progress line for varstyle eval, timed by the steady clock.
#include "eval/eval_progress.h"

#include <spdlog/spdlog.h>

#include <fmt/format.h>

#include "core/clock_text.h"

namespace varstyle {

std::string eval_progress_text(const EvalProgressState& state) {
  const std::string pairs = state.ranks > 1 ? fmt::format("pairs {}/{} on rank 0 of {}", state.done, state.total, state.ranks)
                                            : fmt::format("pairs {}/{}", state.done, state.total);
  const double images_per_s = state.seconds > 0 ? static_cast<double>(state.done) / state.seconds : 0.0;
  // Before the first pair there is no rate to extrapolate from.
  const std::string eta = state.done > 0 ? duration_text(static_cast<double>(state.total - state.done) * state.seconds /
                                                         static_cast<double>(state.done))
                                         : "?";
  return fmt::format("eval {} (method {}/{}) | {} | {:.3g} img/s | ETA {}", state.method, state.method_number,
                     state.methods, pairs, images_per_s, eta);
}

EvalProgress::EvalProgress(bool enabled, int ranks, double every_seconds)
    : enabled_(enabled), every_seconds_(every_seconds) {
  state_.ranks = ranks;
}

void EvalProgress::start_method(const std::string& method, size_t method_number, size_t methods, int64_t pairs) {
  state_.method = method;
  state_.method_number = method_number;
  state_.methods = methods;
  state_.done = 0;
  state_.total = pairs;
  method_start_ = last_line_ = Clock::now();
}

void EvalProgress::pair_done() {
  ++state_.done;
  if (!enabled_) return;
  const auto now = Clock::now();
  if (state_.done < state_.total && std::chrono::duration<double>(now - last_line_).count() < every_seconds_) return;
  state_.seconds = std::chrono::duration<double>(now - method_start_).count();
  last_line_ = now;
  spdlog::info("{}", eval_progress_text(state_));
}

}  // namespace varstyle
