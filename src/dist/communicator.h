// Collective communication behind one small interface, so the trainer and the gradient reducer
// never know whether MPI (CPU tensors) or NCCL (CUDA tensors) carries the bytes.
#pragma once

#include <ATen/ATen.h>
#include <c10/core/Device.h>

#include <memory>
#include <string>
#include <vector>

#include "core/config_enums.h"

namespace varstyle {

enum class ReduceOp { kSum, kMax };

// An operation in flight; wait() returns once the result may be used (on CUDA: once the compute
// stream is ordered after it, without blocking the host; Communicator::settle waits on the host).
class Work {
 public:
  virtual ~Work() = default;
  virtual void wait() = 0;
  // Lets the library make progress (MPI progresses non-blocking collectives only inside MPI
  // calls); true once complete. Cheap; called between gradient hooks.
  virtual bool poll() { return false; }
};

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  virtual std::string name() const = 0;  // "mpi" or "nccl"

  // In place on a contiguous tensor; the tensor must stay alive until wait() returns.
  virtual std::unique_ptr<Work> all_reduce_async(at::Tensor& tensor, ReduceOp op) = 0;
  void all_reduce(at::Tensor& tensor, ReduceOp op) { all_reduce_async(tensor, op)->wait(); }
  virtual void broadcast(at::Tensor& tensor, int root) = 0;
  virtual void barrier() = 0;
  // Small values (hashes, names, flags): every rank's string, in rank order.
  virtual std::vector<std::string> all_gather(const std::string& mine) = 0;
  // One double per rank, reduced on the host (loss terms, timings, flags).
  std::vector<double> all_reduce_values(std::vector<double> values, ReduceOp op);
  // Waits on the host for every collective whose wait() only ordered the device (NCCL), under
  // the watchdog; the trainer calls it at log steps. Until then, each launch checks the earlier
  // ones without waiting, so a dead peer still ends the job within dist.timeout_s of the launch.
  virtual void settle() {}

 protected:
  // The communicator that carries host values: this one, or for a backend that reduces only
  // device memory (NCCL) the MPI one it keeps beside it.
  virtual Communicator& host() { return *this; }
};

// MPI for CPU tensors (non-blocking MPI_Iallreduce).
std::unique_ptr<Communicator> make_mpi_communicator();
// NCCL for CUDA tensors; throws when the build has no NCCL. `device` is this rank's GPU; a
// collective not finished after `timeout_s` seconds (dist.timeout_s) aborts the communicator.
std::unique_ptr<Communicator> make_nccl_communicator(int device, double timeout_s);
// The backend for `device` (dist.backend): auto takes NCCL on a GPU and MPI on the CPU; a backend
// that cannot carry the device's tensors is a ConfigError naming dist.backend.
std::unique_ptr<Communicator> make_communicator(DistBackend backend, const c10::Device& device, double timeout_s);

}  // namespace varstyle
