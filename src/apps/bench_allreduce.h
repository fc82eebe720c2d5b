// varstyle bench allreduce: the gradient all-reduce of a configured model, timed on the ranks it
// was launched on (mpirun -np N, srun), bucket by bucket as the gradient reducer sends it, for the
// config's bucket size and any others asked for. The figures docs/scaling.md projects from.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace varstyle {

struct AllreduceBenchOptions {
  std::string file;
  std::vector<double> bucket_mb;  // bucket sizes to plan besides the config's dist.bucket_mb
  int64_t repeats = 20;
  std::string device = "auto";
  std::vector<std::string> overrides;
};

CLI::App* add_allreduce_bench_options(CLI::App& bench, AllreduceBenchOptions& options);
int run_allreduce_bench(const AllreduceBenchOptions& options);

}  // namespace varstyle
