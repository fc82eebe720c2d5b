// Process identity for messages, library-call failure reporting, and the HDF5 error stack.
#include "core/error.h"

#include <hdf5.h>
#include <unistd.h>

#include <fmt/format.h>

namespace varstyle {
namespace {

ProcessIdentity& mutable_identity() {
  static ProcessIdentity identity = [] {
    ProcessIdentity id;
    char host[256] = {0};
    if (gethostname(host, sizeof(host) - 1) == 0) id.host = host;
    return id;
  }();
  return identity;
}

herr_t collect_hdf5_frame(unsigned depth, const H5E_error2_t* frame, void* out) {
  auto* message = static_cast<std::string*>(out);
  // The innermost frame (depth 0) states the root cause; keep it first and add one frame of
  // context from the API call that the user's code made.
  if (depth == 0) {
    *message = frame->desc ? frame->desc : "unknown HDF5 error";
  } else if (frame->func_name && depth == 1) {
    *message += fmt::format(" (in {})", frame->func_name);
  }
  return 0;
}

}  // namespace

void set_process_identity(int rank, int world_size) {
  mutable_identity().rank = rank;
  mutable_identity().world_size = world_size;
}

const ProcessIdentity& process_identity() { return mutable_identity(); }

std::string describe_process() {
  const auto& id = process_identity();
  return fmt::format("rank {}/{} on {}", id.rank, id.world_size, id.host);
}

void fail_library_call(const char* library, const char* statement, const char* file, int line,
                       const std::string& reason) {
  throw Error(fmt::format("{} call `{}` failed at {}:{} on {}: {}", library, statement, file,
                          line, describe_process(), reason));
}

std::string hdf5_error_message() {
  std::string message;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, collect_hdf5_frame, &message);
  H5Eclear2(H5E_DEFAULT);
  return message.empty() ? "unknown HDF5 error" : message;
}

}  // namespace varstyle
