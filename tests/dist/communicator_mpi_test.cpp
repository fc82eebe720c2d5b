// Multi-rank tests, run under `mpirun -np 2`: collectives in closed form, the gradient reducer's
// bucket layout and averaging (including unused parameters and accumulation), and rank
// agreement checks that fail on every rank instead of hanging.
#include <gtest/gtest.h>
#include <torch/csrc/autograd/autograd.h>

#include <set>

#include "core/error.h"
#include "dist/bucket_plan.h"
#include "dist/communicator.h"
#include "dist/consistency.h"
#include "dist/flat_parameters.h"
#include "dist/gradient_reducer.h"
#include "dist/mpi_session.h"

namespace varstyle {
namespace {

std::unique_ptr<Communicator> communicator() { return make_mpi_communicator(); }

TEST(MpiCommunicator, AllReduceBroadcastGatherInClosedForm) {
  auto comm = communicator();
  const int rank = comm->rank(), size = comm->size();
  ASSERT_GE(size, 2) << "run under mpirun -np 2";
  at::Tensor values = at::full({5}, static_cast<float>(rank));
  comm->all_reduce(values, ReduceOp::kSum);
  EXPECT_TRUE(at::equal(values, at::full({5}, static_cast<float>(size * (size - 1) / 2))));
  at::Tensor maximum = at::tensor({static_cast<double>(rank), -static_cast<double>(rank)}, at::kDouble);
  comm->all_reduce(maximum, ReduceOp::kMax);
  EXPECT_EQ(maximum[0].item<double>(), size - 1);
  EXPECT_EQ(maximum[1].item<double>(), 0.0);
  at::Tensor broadcast = at::full({3}, static_cast<int64_t>(rank + 10), at::kLong);
  comm->broadcast(broadcast, 0);
  EXPECT_TRUE(at::equal(broadcast, at::full({3}, int64_t{10}, at::kLong)));
  const auto gathered = comm->all_gather(std::string(static_cast<size_t>(rank + 1), 'a' + static_cast<char>(rank)));
  ASSERT_EQ(gathered.size(), static_cast<size_t>(size));
  for (int r = 0; r < size; ++r) EXPECT_EQ(gathered[static_cast<size_t>(r)], std::string(static_cast<size_t>(r + 1), 'a' + static_cast<char>(r)));
  EXPECT_EQ(comm->all_reduce_values({1.0, static_cast<double>(rank)}, ReduceOp::kSum),
            (std::vector<double>{static_cast<double>(size), size * (size - 1) / 2.0}));
}

std::vector<at::Tensor> toy_parameters() {
  std::vector<at::Tensor> parameters;
  for (int64_t n : {300, 7, 1000, 50, 2}) parameters.push_back(at::zeros({n}).set_requires_grad(true));
  return parameters;
}

TEST(GradientReducer, BucketsCoverEveryParameterOnceInReverseOrder) {
  auto comm = communicator();
  auto parameters = toy_parameters();
  FlatParameters flat(parameters);
  // Reverse order: 8, 200, 4000, 28, 1200 bytes. The first bucket closes once it reaches
  // 0.0005 MiB (524 bytes): {4, 3, 2}; the others at 0.002 MiB (2097 bytes): {1, 0} stays open.
  GradientReducer reducer(flat, *comm, 0.002, 0.0005);
  const auto buckets = reducer.bucket_members();
  EXPECT_EQ(buckets, (std::vector<std::vector<size_t>>{{4, 3, 2}, {1, 0}}));
  std::vector<size_t> order;
  for (const auto& bucket : buckets) order.insert(order.end(), bucket.begin(), bucket.end());
  EXPECT_EQ(order, (std::vector<size_t>{4, 3, 2, 1, 0}));
  EXPECT_EQ(std::set<size_t>(order.begin(), order.end()).size(), parameters.size());
}

TEST(BucketPlan, RangesTileTheGradientBufferAndMatchTheReducer) {
  auto comm = communicator();
  auto parameters = toy_parameters();
  FlatParameters flat(parameters);
  const auto plan = plan_buckets(flat, 0.002, 0.0005);
  GradientReducer reducer(flat, *comm, 0.002, 0.0005);
  ASSERT_EQ(plan.size(), reducer.bucket_members().size());
  int64_t next = 0;
  for (size_t b = 0; b < plan.size(); ++b) {
    EXPECT_EQ(plan[b].members, reducer.bucket_members()[b]) << b;
    EXPECT_EQ(plan[b].begin, next) << b;
    int64_t elements = 0;
    for (size_t i : plan[b].members) {
      EXPECT_GE(flat.offset(i), plan[b].begin);
      EXPECT_LE(flat.offset(i) + flat.numel(i), plan[b].end);
      elements += flat.numel(i);
    }
    EXPECT_EQ(plan[b].end - plan[b].begin, elements) << b;
    next = plan[b].end;
  }
  EXPECT_EQ(next, flat.grads().numel());
  // Buckets larger than the whole gradient: one; smaller than any parameter: one per parameter.
  EXPECT_EQ(plan_buckets(flat, 4096, 4096).size(), 1u);
  EXPECT_EQ(plan_buckets(flat, 1e-6, 1e-6).size(), parameters.size());
}

TEST(GradientReducer, AveragesGradientsAcrossRanksIncludingUnusedAndAccumulated) {
  auto comm = communicator();
  const double rank = comm->rank(), size = comm->size();
  auto parameters = toy_parameters();
  FlatParameters flat(parameters);
  GradientReducer reducer(flat, *comm, 0.002, 0.0005);
  // Rank r: loss = (r + 1) * sum(p_i) for every parameter but the last, which is unused.
  auto loss = [&] {
    at::Tensor total = at::zeros({});
    for (size_t i = 0; i + 1 < parameters.size(); ++i) total = total + (rank + 1) * parameters[i].sum();
    return total;
  };
  loss().backward();
  reducer.finalize();
  const double mean = (size + 1) / 2.0;  // average of 1..size
  for (size_t i = 0; i + 1 < parameters.size(); ++i)
    EXPECT_TRUE(at::allclose(parameters[i].grad(), at::full_like(parameters[i], mean))) << i;
  EXPECT_TRUE(at::equal(parameters.back().grad(), at::zeros_like(parameters.back())));
  // The gradients were averaged in place, in the flat buffer: nothing was copied out.
  for (size_t i = 0; i < parameters.size(); ++i)
    EXPECT_EQ(parameters[i].grad().data_ptr(), flat.view(flat.grads(), i).data_ptr()) << i;

  // Two micro-steps: the first does not communicate, the second reduces the accumulated sum.
  flat.zero_grad();
  reducer.set_sync(false);
  loss().backward();
  EXPECT_TRUE(at::allclose(parameters[0].grad(), at::full_like(parameters[0], rank + 1)));  // local only
  reducer.set_sync(true);
  loss().backward();
  reducer.finalize();
  for (size_t i = 0; i + 1 < parameters.size(); ++i)
    EXPECT_TRUE(at::allclose(parameters[i].grad(), at::full_like(parameters[i], 2 * mean))) << i;
}

TEST(Consistency, BroadcastAndMismatchesFailOnEveryRank) {
  auto comm = communicator();
  const int rank = comm->rank();
  at::Tensor weight = at::full({4}, static_cast<float>(rank + 1));
  broadcast_from_rank0(*comm, {{"w", weight}});
  EXPECT_TRUE(at::equal(weight, at::full({4}, 1.0f)));
  EXPECT_NO_THROW(check_ranks_agree(*comm, "data:\n  size: 8\n", {{"w", weight}}));
  try {
    check_ranks_agree(*comm, rank == 0 ? "data:\n  size: 8\n" : "data:\n  size: 9\n", {{"w", weight}});
    FAIL() << "expected a ConfigError on rank " << rank;
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("rank 1 was started with a different configuration than rank 0: it has "
                                         "'data.size: 9' where rank 0 has 'data.size: 8'"),
              std::string::npos) << e.what();
  }
  at::Tensor other = at::zeros({rank == 0 ? 4 : 5});
  EXPECT_THROW(check_ranks_agree(*comm, "x", {{"decoder.w", other}}), ConfigError);
}

}  // namespace
}  // namespace varstyle

int main(int argc, char** argv) {
  varstyle::MpiSession session(&argc, &argv);
  ::testing::InitGoogleTest(&argc, argv);
  // Only rank 0 prints results; every rank runs every test (collectives need all of them).
  if (session.rank() != 0) ::testing::UnitTest::GetInstance()->listeners().Release(
      ::testing::UnitTest::GetInstance()->listeners().default_result_printer());
  const int failed = RUN_ALL_TESTS();
  int any_failed = 0;
  MPI_Allreduce(&failed, &any_failed, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  return any_failed;
}
