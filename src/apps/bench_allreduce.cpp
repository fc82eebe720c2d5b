// varstyle bench allreduce: one JSON line per bucket and one per plan (rank 0 prints them).
// Each timing is the slowest rank's, the median of `repeats` after two warm-ups, from a barrier
// to the moment the reduced values may be read on the host: what a step waits for when nothing
// overlaps. Gradients are random (never zeros: a library may take a short cut on them).
#include "apps/bench_allreduce.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "apps/commands.h"
#include "core/config.h"
#include "core/logging.h"
#include "core/thread_count.h"
#include "dist/bucket_plan.h"
#include "dist/communicator.h"
#include "dist/device_choice.h"
#include "dist/flat_parameters.h"
#include "dist/mpi_session.h"
#include "models/style_model.h"

namespace varstyle {

namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::ordered_json;

double milliseconds_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double round_to_scale(double value, double scale) { return std::round(value * scale) / scale; }

// Until the values are readable on the host: a CPU wait() already is; NCCL's orders the stream.
void settle(Communicator& communicator, const at::Tensor& tensor) {
  communicator.settle();
  if (tensor.is_cuda()) tensor[0].item<float>();
}

// The slowest rank's median over `repeats` timed calls of `collective`, after two warm-ups.
template <typename Collective>
double median_ms(Communicator& communicator, int64_t repeats, Collective collective) {
  std::vector<double> times;
  for (int64_t r = -2; r < repeats; ++r) {
    communicator.barrier();
    const auto start = Clock::now();
    collective();
    const double ms = milliseconds_since(start);
    if (r >= 0) times.push_back(ms);
  }
  std::nth_element(times.begin(), times.begin() + times.size() / 2, times.end());
  return communicator.all_reduce_values({times[times.size() / 2]}, ReduceOp::kMax).front();
}

// nccl-tests' convention: algbw = bytes / time; busbw = algbw * 2(n-1)/n, the bandwidth each
// link carries in a ring all-reduce, comparable across rank counts and with published figures.
ordered_json bandwidths(double bytes, double ms, int ranks) {
  const double algbw = bytes / (ms * 1e-3) / 1e9;
  ordered_json line = {{"algbw_GBps", round_to_scale(algbw, 1000)}};
  line["busbw_GBps"] = ranks > 1 ? ordered_json(round_to_scale(algbw * 2.0 * (ranks - 1) / ranks, 1000)) : ordered_json();
  return line;
}

ordered_json time_plan(Communicator& communicator, const FlatParameters& flat, double bucket_mb, double first_mb,
                       int64_t repeats, const ordered_json& common) {
  const auto plan = plan_buckets(flat, bucket_mb, first_mb);
  const at::Tensor& grads = flat.grads();
  const double element_bytes = static_cast<double>(grads.element_size());
  std::vector<at::Tensor> views;
  for (const auto& range : plan) views.push_back(grads.narrow(0, range.begin, range.end - range.begin));
  for (size_t b = 0; b < plan.size(); ++b) {
    at::Tensor view = views[b];
    const double ms = median_ms(communicator, repeats, [&] {
      communicator.all_reduce(view, ReduceOp::kSum);
      settle(communicator, view);
    });
    const double bytes = static_cast<double>(view.numel()) * element_bytes;
    ordered_json line = common;
    line.update({{"what", "bucket"}, {"bucket_mb", bucket_mb}, {"bucket", b}, {"parameters", plan[b].members.size()},
                 {"bytes", static_cast<int64_t>(bytes)}, {"us", round_to_scale(1000 * ms, 10)}});
    line.update(bandwidths(bytes, ms, communicator.size()));
    if (communicator.rank() == 0) fmt::print("{}\n", line.dump());
  }
  // Every bucket launched back to back, as finalize() does when backward hid none of them.
  const double ms = median_ms(communicator, repeats, [&] {
    std::vector<std::unique_ptr<Work>> works;
    for (auto& view : views) works.push_back(communicator.all_reduce_async(view, ReduceOp::kSum));
    for (auto& work : works) work->wait();
    settle(communicator, grads);
  });
  const double bytes = static_cast<double>(grads.numel()) * element_bytes;
  ordered_json line = common;
  line.update({{"what", "gradient"}, {"bucket_mb", bucket_mb}, {"first_bucket_mb", first_mb},
               {"buckets", plan.size()}, {"bytes", static_cast<int64_t>(bytes)}, {"us", round_to_scale(1000 * ms, 10)}});
  line.update(bandwidths(bytes, ms, communicator.size()));
  return line;
}

}  // namespace

CLI::App* add_allreduce_bench_options(CLI::App& bench, AllreduceBenchOptions& options) {
  auto* allreduce = bench.add_subcommand(
      "allreduce", "the gradient all-reduce of a configured model on the launched ranks (mpirun -np N)");
  allreduce->add_option("--config", options.file, "YAML config naming the model and dist.*")->required();
  allreduce->add_option("--bucket-mb", options.bucket_mb, "other bucket sizes to time (MiB, repeatable)")
      ->check(CLI::Range(0.001, 4096.0))
      ->allow_extra_args(false);
  allreduce->add_option("--repeats", options.repeats, "timed calls per message after two warm-ups")
      ->check(CLI::Range(1, 100000));
  add_device_option(*allreduce, options.device);
  allreduce->add_option("overrides", options.overrides, "section.key=value overrides");
  return allreduce;
}

int run_allreduce_bench(const AllreduceBenchOptions& options) {
  MpiSession session(nullptr, nullptr);
  setup_logging(session.rank());  // to stderr: stdout carries only the JSON lines
  try {
    Config config = load_config(options.file, options.overrides);
    // Only the trainable shapes matter: the frozen networks' weight files need not be here.
    config.model.encoder_weights.clear();
    config.loss.network_weights.clear();
    at::set_num_threads(threads_per_rank(/*requested=*/0, session.local_size()));
    const c10::Device device =
        pick_device(parse_device_request(options.device), session.local_rank(), session.local_size());
    auto communicator = make_communicator(config.dist.backend, device, config.dist.timeout_s);
    auto model = make_model(config, /*weights_follow=*/true);  // only the shapes matter
    model->to(device);
    std::vector<at::Tensor> parameters;
    for (const auto& item : model->named_parameters())
      if (item.value().requires_grad()) parameters.push_back(item.value());
    FlatParameters flat(parameters);
    at::manual_seed(session.rank());
    flat.grads().copy_(at::randn(flat.grads().sizes(), flat.grads().options()));

    const ordered_json common = {{"bench", "allreduce"},     {"model", config.model.kind},
                                 {"width", config.model.width}, {"ranks", communicator->size()},
                                 {"backend", communicator->name()}, {"device", device.str()}};
    // The smallest message: the per-collective latency a plan of many small buckets pays.
    at::Tensor one = flat.grads().narrow(0, 0, 1);
    const double latency_ms = median_ms(*communicator, options.repeats, [&] {
      communicator->all_reduce(one, ReduceOp::kSum);
      settle(*communicator, one);
    });
    ordered_json latency = common;
    latency.update({{"what", "latency"}, {"bytes", one.element_size()}, {"us", round_to_scale(1000 * latency_ms, 10)}});
    if (session.rank() == 0) fmt::print("{}\n", latency.dump());

    std::vector<double> sizes = {config.dist.bucket_mb};
    for (double mb : options.bucket_mb)
      if (std::find(sizes.begin(), sizes.end(), mb) == sizes.end()) sizes.push_back(mb);
    for (double mb : sizes) {
      const ordered_json line = time_plan(*communicator, flat, mb, config.dist.first_bucket_mb, options.repeats, common);
      if (session.rank() == 0) fmt::print("{}\n", line.dump());
    }
    return 0;
  } catch (const std::exception& e) {
    return fail_job("bench allreduce", e, session);
  }
}

}  // namespace varstyle
