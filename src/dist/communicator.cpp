// make_communicator: the one place a backend is chosen for a device, for every command.
#include "dist/communicator.h"

#include "core/error.h"

namespace varstyle {

std::unique_ptr<Communicator> make_communicator(DistBackend backend, const c10::Device& device, double timeout_s) {
  const bool cuda = device.is_cuda();
  if (backend == DistBackend::kNccl || (backend == DistBackend::kAuto && cuda)) {
    if (!cuda) throw ConfigError("dist.backend: nccl reduces CUDA tensors, but this process runs on the CPU (--device)");
    return make_nccl_communicator(device.index(), timeout_s);
  }
  if (cuda) throw ConfigError("dist.backend: mpi reduces CPU tensors; on GPUs use nccl (or auto)");
  return make_mpi_communicator();
}

}  // namespace varstyle
