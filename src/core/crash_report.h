// A crash report: on SIGSEGV, SIGBUS, SIGFPE, SIGILL or SIGABRT the process writes the signal, the
// faulting address, its label (command, rank, host) and the call stack to stderr, then dies by the
// same signal. A crash on a GPU node or in a batch job, far from any debugger, then still names
// where it happened, and which rank.
#pragma once

#include <string>

namespace varstyle {

// Installs (or re-installs, e.g. after MPI_Init, whose library puts its own handlers in place) the
// handlers. `label` is copied into a fixed buffer the handler reads; later calls replace it.
void install_crash_report(const std::string& label);

}  // namespace varstyle
