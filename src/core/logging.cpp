// spdlog configuration for single- and multi-rank processes.
#include "core/logging.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <fmt/format.h>

namespace varstyle {

void setup_logging(int rank, bool verbose) {
  auto logger = spdlog::stderr_color_mt(fmt::format("varstyle-{}", rank));
  logger->set_pattern(rank == 0 ? "[%H:%M:%S] %^%l%$: %v" : fmt::format("[%H:%M:%S rank {}] %^%l%$: %v", rank));
  logger->set_level(verbose ? spdlog::level::debug
                            : (rank == 0 ? spdlog::level::info : spdlog::level::warn));
  spdlog::set_default_logger(logger);
}

}  // namespace varstyle
