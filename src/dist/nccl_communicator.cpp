// NcclCommunicator: CUDA collectives on NCCL's own stream, ordered against the compute stream by
// events (no host synchronisation); unique id from rank 0 by MPI_Bcast. Compiled whenever CUDA
// and NCCL are found (VARSTYLE_WITH_NCCL), so that this path always builds and links.
#include <fmt/format.h>

#include "core/error.h"
#include "dist/communicator.h"
#include "dist/mpi_session.h"

#ifdef VARSTYLE_WITH_NCCL
#include <cuda_runtime_api.h>
#include <nccl.h>

#define VS_CUDA_CHECK(statement)                                                                  \
  do {                                                                                            \
    const cudaError_t vs_cuda_result_ = (statement);                                              \
    if (vs_cuda_result_ != cudaSuccess)                                                           \
      ::varstyle::fail_library_call("CUDA", #statement, __FILE__, __LINE__,                       \
                                    cudaGetErrorString(vs_cuda_result_));                         \
  } while (false)

#define VS_NCCL_CHECK(statement)                                                                  \
  do {                                                                                            \
    const ncclResult_t vs_nccl_result_ = (statement);                                             \
    if (vs_nccl_result_ != ncclSuccess)                                                           \
      ::varstyle::fail_library_call("NCCL", #statement, __FILE__, __LINE__,                       \
                                    ncclGetErrorString(vs_nccl_result_));                         \
  } while (false)
#endif

namespace varstyle {

#ifdef VARSTYLE_WITH_NCCL
namespace {

// LibTorch computes on the device's default (legacy) stream unless told otherwise; NCCL work is
// ordered after it and before its later use through events on that stream.
const cudaStream_t kComputeStream = nullptr;

ncclDataType_t nccl_type(const at::Tensor& tensor) {
  switch (tensor.scalar_type()) {
    case at::kFloat: return ncclFloat32;
    case at::kDouble: return ncclFloat64;
    case at::kHalf: return ncclFloat16;
    case at::kBFloat16: return ncclBfloat16;
    case at::kLong: return ncclInt64;
    case at::kInt: return ncclInt32;
    default: throw Error(fmt::format("NCCL communicator: unsupported dtype {}", c10::toString(tensor.scalar_type())));
  }
}

class CudaEvent {
 public:
  CudaEvent() { VS_CUDA_CHECK(cudaEventCreateWithFlags(&event_, cudaEventDisableTiming)); }
  ~CudaEvent() { cudaEventDestroy(event_); }
  CudaEvent(const CudaEvent&) = delete;
  CudaEvent& operator=(const CudaEvent&) = delete;
  cudaEvent_t get() const { return event_; }

 private:
  cudaEvent_t event_ = nullptr;
};

class NcclWork : public Work {
 public:
  CudaEvent done;
  void wait() override { VS_CUDA_CHECK(cudaStreamWaitEvent(kComputeStream, done.get(), 0)); }
};

class NcclCommunicator : public Communicator {
 public:
  explicit NcclCommunicator(int device) : device_(device), host_(make_mpi_communicator()) {
    VS_MPI_CHECK(MPI_Comm_rank(MPI_COMM_WORLD, &rank_));
    VS_MPI_CHECK(MPI_Comm_size(MPI_COMM_WORLD, &size_));
    int devices = 0;
    VS_CUDA_CHECK(cudaGetDeviceCount(&devices));
    if (device >= devices)
      throw Error(fmt::format("{}: local rank needs GPU {} but this node has {} GPU(s); start at most "
                              "one rank per GPU", describe_process(), device, devices));
    VS_CUDA_CHECK(cudaSetDevice(device));
    ncclUniqueId id;
    if (rank_ == 0) VS_NCCL_CHECK(ncclGetUniqueId(&id));
    VS_MPI_CHECK(MPI_Bcast(&id, sizeof(id), MPI_BYTE, 0, MPI_COMM_WORLD));
    VS_NCCL_CHECK(ncclCommInitRank(&comm_, size_, id, rank_));
    VS_CUDA_CHECK(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking));
  }
  ~NcclCommunicator() override {
    if (comm_) ncclCommDestroy(comm_);
    if (stream_) cudaStreamDestroy(stream_);
  }

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  std::string name() const override { return "nccl"; }

  std::unique_ptr<Work> all_reduce_async(at::Tensor& tensor, ReduceOp op) override {
    check(tensor);
    CudaEvent ready;
    VS_CUDA_CHECK(cudaEventRecord(ready.get(), kComputeStream));
    VS_CUDA_CHECK(cudaStreamWaitEvent(stream_, ready.get(), 0));
    VS_NCCL_CHECK(ncclAllReduce(tensor.data_ptr(), tensor.data_ptr(), static_cast<size_t>(tensor.numel()),
                                nccl_type(tensor), op == ReduceOp::kSum ? ncclSum : ncclMax, comm_, stream_));
    auto work = std::make_unique<NcclWork>();
    VS_CUDA_CHECK(cudaEventRecord(work->done.get(), stream_));
    return work;
  }

  void broadcast(at::Tensor& tensor, int root) override {
    check(tensor);
    VS_CUDA_CHECK(cudaStreamSynchronize(kComputeStream));
    VS_NCCL_CHECK(ncclBroadcast(tensor.data_ptr(), tensor.data_ptr(), static_cast<size_t>(tensor.numel()),
                                nccl_type(tensor), root, comm_, stream_));
    VS_CUDA_CHECK(cudaStreamSynchronize(stream_));
  }

  void barrier() override { VS_MPI_CHECK(MPI_Barrier(MPI_COMM_WORLD)); }

  std::vector<std::string> all_gather(const std::string& mine) override { return host_->all_gather(mine); }

 protected:
  Communicator& host() override { return *host_; }

 private:
  void check(const at::Tensor& tensor) const {
    TORCH_CHECK(tensor.is_cuda() && tensor.get_device() == device_, "NCCL collectives take tensors on cuda:", device_);
    TORCH_CHECK(tensor.is_contiguous(), "collectives need contiguous tensors");
  }

  int device_;
  std::unique_ptr<Communicator> host_;  // MPI, for host values and names
  int rank_ = 0;
  int size_ = 1;
  ncclComm_t comm_ = nullptr;
  cudaStream_t stream_ = nullptr;
};

}  // namespace

std::unique_ptr<Communicator> make_nccl_communicator(int device) { return std::make_unique<NcclCommunicator>(device); }

#else

std::unique_ptr<Communicator> make_nccl_communicator(int) {
  throw ConfigError("dist.backend: nccl needs a build with NCCL (configure with CUDA and NCCL found, "
                    "VARSTYLE_WITH_NCCL)");
}

#endif

}  // namespace varstyle
