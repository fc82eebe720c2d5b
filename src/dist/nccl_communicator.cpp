// NcclCommunicator: CUDA collectives on NCCL's own stream, ordered against LibTorch's current
// stream by events; unique id from rank 0 by MPI_Bcast; waits watched (collective_watchdog.h), so a
// dead peer ends the job instead of hanging it. Compiled whenever CUDA and NCCL are found
// (VARSTYLE_WITH_NCCL), so that this path always builds and links.
#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <vector>

#include "core/error.h"
#include "dist/collective_watchdog.h"
#include "dist/communicator.h"
#include "dist/mpi_session.h"

#ifdef VARSTYLE_WITH_NCCL
#include <cuda_runtime_api.h>
#include <nccl.h>
#ifdef VARSTYLE_TORCH_CUDA
#include <c10/cuda/CUDAStream.h>
#endif

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

using Clock = std::chrono::steady_clock;

// The stream LibTorch queues this thread's kernels on (the default one unless a caller set
// another); NCCL work is ordered after it, and its later use after NCCL, by events.
cudaStream_t compute_stream(int device) {
#ifdef VARSTYLE_TORCH_CUDA
  return c10::cuda::getCurrentCUDAStream(static_cast<c10::DeviceIndex>(device)).stream();
#else
  // A LibTorch without CUDA makes no CUDA tensors, so nothing but this code's own work is queued.
  (void)device;
  return nullptr;
#endif
}

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

bool event_done(const CudaEvent& event) {
  const cudaError_t status = cudaEventQuery(event.get());
  if (status == cudaErrorNotReady) return false;
  VS_CUDA_CHECK(status);
  return true;
}

// A collective the host has not waited for: its completion event, what it was, when it started.
struct InFlight {
  std::shared_ptr<CudaEvent> done;
  std::string what;
  Clock::time_point launched;
};

class NcclCommunicator;

// A launched collective: its completion event on NCCL's stream and when it was launched.
class NcclWork : public Work {
 public:
  NcclWork(NcclCommunicator& communicator, std::string what) : communicator_(communicator), what_(std::move(what)) {}
  std::shared_ptr<CudaEvent> done = std::make_shared<CudaEvent>();
  // Orders the compute stream after the collective; the host does not wait (the communicator
  // watches it from the next launch on, and settle() waits for it).
  void wait() override;
  // For start-up collectives whose result the host needs at once: waits under the watchdog.
  void wait_on_host();
  bool poll() override { return event_done(*done); }

 private:
  NcclCommunicator& communicator_;
  std::string what_;
  Clock::time_point launched_ = Clock::now();
};

class NcclCommunicator : public Communicator {
 public:
  NcclCommunicator(int device, double timeout_s) : device_(device), timeout_s_(timeout_s), host_(make_mpi_communicator()) {
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
    check_in_flight();
    auto work = std::make_unique<NcclWork>(*this, fmt::format("NCCL all-reduce of {} values", tensor.numel()));
    after_compute_stream();
    VS_NCCL_CHECK(ncclAllReduce(tensor.data_ptr(), tensor.data_ptr(), static_cast<size_t>(tensor.numel()),
                                nccl_type(tensor), op == ReduceOp::kSum ? ncclSum : ncclMax, comm_, stream_));
    VS_CUDA_CHECK(cudaEventRecord(work->done->get(), stream_));
    return work;
  }

  void broadcast(at::Tensor& tensor, int root) override {
    check(tensor);
    NcclWork work(*this, fmt::format("NCCL broadcast of {} values from rank {}", tensor.numel(), root));
    after_compute_stream();
    VS_NCCL_CHECK(ncclBroadcast(tensor.data_ptr(), tensor.data_ptr(), static_cast<size_t>(tensor.numel()),
                                nccl_type(tensor), root, comm_, stream_));
    VS_CUDA_CHECK(cudaEventRecord(work.done->get(), stream_));
    work.wait_on_host();
  }

  void barrier() override { VS_MPI_CHECK(MPI_Barrier(MPI_COMM_WORLD)); }

  std::vector<std::string> all_gather(const std::string& mine) override { return host_->all_gather(mine); }

  void settle() override {
    for (const auto& work : in_flight_) watch(work);
    in_flight_.clear();
  }
  void track(InFlight work) { in_flight_.push_back(std::move(work)); }

  // Waits for `work` on the host, polling NCCL's asynchronous error and dist.timeout_s.
  void watch(const InFlight& work) { wait_with_watchdog(probe(work), work.what, timeout_s_, work.launched); }
  int device() const { return device_; }

 protected:
  Communicator& host() override { return *host_; }

 private:
  // The collectives the host has not waited for: finished ones go; a failed or overdue one aborts.
  void check_in_flight() {
    auto unfinished = in_flight_.begin();
    for (const auto& work : in_flight_)
      if (!check_collective(probe(work), work.what, timeout_s_, work.launched)) *unfinished++ = work;
    in_flight_.erase(unfinished, in_flight_.end());
  }

  CollectiveProbe probe(const InFlight& work) {
    CollectiveProbe probe;
    probe.done = [done = work.done] { return event_done(*done); };
    probe.async_error = [this]() -> std::string {
      if (!comm_) return "the communicator was aborted after a failed collective";
      ncclResult_t state = ncclSuccess;
      VS_NCCL_CHECK(ncclCommGetAsyncError(comm_, &state));
      return state == ncclSuccess || state == ncclInProgress ? "" : ncclGetErrorString(state);
    };
    probe.abort = [this] { abort(); };
    return probe;
  }

  void check(const at::Tensor& tensor) const {
    TORCH_CHECK(comm_ != nullptr, "the NCCL communicator was aborted after a failed collective");
    TORCH_CHECK(tensor.is_cuda() && tensor.get_device() == device_, "NCCL collectives take tensors on cuda:", device_);
    TORCH_CHECK(tensor.is_contiguous(), "collectives need contiguous tensors");
  }

  // NCCL's stream waits for what LibTorch has queued so far (the tensor's producers).
  void after_compute_stream() {
    CudaEvent ready;
    VS_CUDA_CHECK(cudaEventRecord(ready.get(), compute_stream(device_)));
    VS_CUDA_CHECK(cudaStreamWaitEvent(stream_, ready.get(), 0));
  }

  // Ends NCCL's kernels on this rank; the communicator refuses every later collective.
  void abort() {
    if (!comm_) return;
    ncclCommAbort(comm_);
    comm_ = nullptr;
  }

  int device_;
  double timeout_s_;
  std::unique_ptr<Communicator> host_;  // MPI, for host values and names
  int rank_ = 0;
  int size_ = 1;
  ncclComm_t comm_ = nullptr;
  cudaStream_t stream_ = nullptr;
  std::vector<InFlight> in_flight_;
};

void NcclWork::wait() {
  VS_CUDA_CHECK(cudaStreamWaitEvent(compute_stream(communicator_.device()), done->get(), 0));
  communicator_.track({done, what_, launched_});
}

void NcclWork::wait_on_host() {
  VS_CUDA_CHECK(cudaStreamWaitEvent(compute_stream(communicator_.device()), done->get(), 0));
  communicator_.watch({done, what_, launched_});
}

}  // namespace

std::unique_ptr<Communicator> make_nccl_communicator(int device, double timeout_s) {
  return std::make_unique<NcclCommunicator>(device, timeout_s);
}

#else

std::unique_ptr<Communicator> make_nccl_communicator(int, double) {
  throw ConfigError("dist.backend: nccl needs a build with NCCL (configure with CUDA and NCCL found, "
                    "VARSTYLE_WITH_NCCL)");
}

#endif

}  // namespace varstyle
