// MpiCommunicator: CPU collectives over MPI_COMM_WORLD.
#include <fmt/format.h>

#include "core/error.h"
#include "dist/communicator.h"
#include "dist/mpi_session.h"

namespace varstyle {

namespace {

MPI_Datatype mpi_type(const at::Tensor& tensor) {
  switch (tensor.scalar_type()) {
    case at::kFloat: return MPI_FLOAT;
    case at::kDouble: return MPI_DOUBLE;
    case at::kLong: return MPI_INT64_T;
    case at::kInt: return MPI_INT32_T;
    case at::kByte: return MPI_UINT8_T;
    default: throw Error(fmt::format("MPI communicator: unsupported dtype {}", c10::toString(tensor.scalar_type())));
  }
}

void check_tensor(const at::Tensor& tensor) {
  TORCH_CHECK(tensor.device().is_cpu(), "the MPI communicator takes CPU tensors (use dist.backend: nccl on GPUs)");
  TORCH_CHECK(tensor.is_contiguous(), "collectives need contiguous tensors");
}

class MpiWork : public Work {
 public:
  MPI_Request request = MPI_REQUEST_NULL;
  void wait() override { VS_MPI_CHECK(MPI_Wait(&request, MPI_STATUS_IGNORE)); }
  bool poll() override {
    int done = 0;
    VS_MPI_CHECK(MPI_Test(&request, &done, MPI_STATUS_IGNORE));
    return done != 0;
  }
};

class MpiCommunicator : public Communicator {
 public:
  MpiCommunicator() {
    VS_MPI_CHECK(MPI_Comm_rank(MPI_COMM_WORLD, &rank_));
    VS_MPI_CHECK(MPI_Comm_size(MPI_COMM_WORLD, &size_));
  }
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  std::string name() const override { return "mpi"; }

  std::unique_ptr<Work> all_reduce_async(at::Tensor& tensor, ReduceOp op) override {
    check_tensor(tensor);
    auto work = std::make_unique<MpiWork>();
    VS_MPI_CHECK(MPI_Iallreduce(MPI_IN_PLACE, tensor.data_ptr(), static_cast<int>(tensor.numel()), mpi_type(tensor),
                                op == ReduceOp::kSum ? MPI_SUM : MPI_MAX, MPI_COMM_WORLD, &work->request));
    return work;
  }

  void broadcast(at::Tensor& tensor, int root) override {
    check_tensor(tensor);
    VS_MPI_CHECK(MPI_Bcast(tensor.data_ptr(), static_cast<int>(tensor.numel()), mpi_type(tensor), root, MPI_COMM_WORLD));
  }

  void barrier() override { VS_MPI_CHECK(MPI_Barrier(MPI_COMM_WORLD)); }

  std::vector<std::string> all_gather(const std::string& mine) override {
    int length = static_cast<int>(mine.size());
    std::vector<int> lengths(static_cast<size_t>(size_));
    VS_MPI_CHECK(MPI_Allgather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, MPI_COMM_WORLD));
    std::vector<int> offsets(static_cast<size_t>(size_), 0);
    for (size_t i = 1; i < offsets.size(); ++i) offsets[i] = offsets[i - 1] + lengths[i - 1];
    std::string all(static_cast<size_t>(offsets.back() + lengths.back()), '\0');
    VS_MPI_CHECK(MPI_Allgatherv(mine.data(), length, MPI_CHAR, all.data(), lengths.data(), offsets.data(), MPI_CHAR,
                                MPI_COMM_WORLD));
    std::vector<std::string> result;
    for (size_t i = 0; i < lengths.size(); ++i)
      result.push_back(all.substr(static_cast<size_t>(offsets[i]), static_cast<size_t>(lengths[i])));
    return result;
  }

 private:
  int rank_ = 0;
  int size_ = 1;
};

}  // namespace

std::vector<double> Communicator::all_reduce_values(std::vector<double> values, ReduceOp op) {
  at::Tensor tensor = at::from_blob(values.data(), {static_cast<int64_t>(values.size())}, at::kDouble).clone();
  host().all_reduce(tensor, op);
  std::copy(tensor.data_ptr<double>(), tensor.data_ptr<double>() + values.size(), values.begin());
  return values;
}

std::unique_ptr<Communicator> make_mpi_communicator() { return std::make_unique<MpiCommunicator>(); }

}  // namespace varstyle
