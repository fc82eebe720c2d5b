// NCCL / CUDA runtime queries, compiled against the real libraries whenever they are found.
#include "dist/device_info.h"

#include <fmt/format.h>

#ifdef VARSTYLE_WITH_NCCL
#include <cuda_runtime_api.h>
#include <nccl.h>
#endif

namespace varstyle {

bool built_with_nccl() {
#ifdef VARSTYLE_WITH_NCCL
  return true;
#else
  return false;
#endif
}

std::string describe_accelerators() {
#ifdef VARSTYLE_WITH_NCCL
  int nccl = 0;
  const bool nccl_ok = ncclGetVersion(&nccl) == ncclSuccess;
  int runtime = 0;
  cudaRuntimeGetVersion(&runtime);
  int devices = 0;
  const cudaError_t status = cudaGetDeviceCount(&devices);
  const std::string device_text =
      status == cudaSuccess ? fmt::format("{} CUDA device(s)", devices)
                            : fmt::format("no usable CUDA device ({})", cudaGetErrorString(status));
  return fmt::format("NCCL {}, CUDA runtime {}.{}, {}",
                     nccl_ok ? fmt::format("{}.{}.{}", nccl / 10000, (nccl / 100) % 100, nccl % 100)
                             : std::string("unavailable"),
                     runtime / 1000, (runtime % 1000) / 10, device_text);
#else
  return "built without NCCL (CPU ranks communicate through MPI)";
#endif
}

}  // namespace varstyle
