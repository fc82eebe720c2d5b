// Typed errors, their process exit codes, and the one check macro per C library.
// Every message names the culprit (file, key, rank) so that the user can act on it.
#pragma once

#include <stdexcept>
#include <string>

namespace varstyle {

// Exit codes are part of the user interface (job scripts test them); docs/exit-codes.md lists them.
enum class ExitCode : int {
  kOk = 0,
  kFailure = 1,       // a runtime failure: I/O, data, library call
  kBadConfig = 2,     // configuration or command line rejected before anything ran
  kNothingDone = 3,   // a tool had nothing to work on (e.g. no image could be converted)
  kPreempted = 75,    // training checkpointed on SIGTERM/SIGUSR1 and stopped: requeue and resume
};

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message, ExitCode code = ExitCode::kFailure)
      : std::runtime_error(message), code_(code) {}
  ExitCode code() const { return code_; }

 private:
  ExitCode code_;
};

// Configuration and command-line errors: exit code 2, nothing written.
class ConfigError : public Error {
 public:
  explicit ConfigError(const std::string& message) : Error(message, ExitCode::kBadConfig) {}
};

// Which process this is, for messages from multi-rank jobs ("rank 3 on node17").
struct ProcessIdentity {
  int rank = 0;
  int world_size = 1;
  std::string host;
};
void set_process_identity(int rank, int world_size);
const ProcessIdentity& process_identity();
std::string describe_process();  // "rank 3/8 on node17"

// Throws Error("<what> failed at <file>:<line> on <process>: <reason>").
[[noreturn]] void fail_library_call(const char* library, const char* statement, const char* file,
                                    int line, const std::string& reason);

// The HDF5 error stack as one line (innermost message first); empties the stack.
std::string hdf5_error_message();

}  // namespace varstyle

// HDF5 calls return a negative value on failure.
#define VS_H5_CHECK(statement)                                                              \
  ([&]() {                                                                                  \
    auto vs_h5_result_ = (statement);                                                       \
    if (vs_h5_result_ < 0)                                                                  \
      ::varstyle::fail_library_call("HDF5", #statement, __FILE__, __LINE__,                 \
                                    ::varstyle::hdf5_error_message());                      \
    return vs_h5_result_;                                                                   \
  }())
