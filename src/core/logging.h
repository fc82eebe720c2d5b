// Logging set-up: spdlog to stderr; rank 0 logs at info, other ranks only warnings and errors
// (prefixed with their rank), so a 256-rank job prints one progress stream.
#pragma once

namespace varstyle {

void setup_logging(int rank, bool verbose = false);

}  // namespace varstyle
