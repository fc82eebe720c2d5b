// varstyle bench reader: the data path's throughput on this rank (read, checksum, crop, flip,
// float conversion through the prefetch thread); varstyle bench stylize: images/s of stylisation
// by a model built from a config, or of Gatys. Both print one JSON line, for experiments/bench/.
// varstyle bench allreduce (apps/bench_allreduce.h): the gradient all-reduce on the launched ranks.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "apps/bench_allreduce.h"
#include "apps/commands.h"
#include "core/config.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/logging.h"
#include "core/thread_count.h"
#include "data/prefetch_loader.h"
#include "dist/device_choice.h"
#include "eval/gatys.h"
#include "eval/metrics.h"
#include "models/style_model.h"
#include "nets/autocast_scope.h"

namespace varstyle {

namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::ordered_json;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// `value` to `digits` decimals: the printed precision of a timing worth reading.
double round_to_digits(double value, int digits) {
  const double scale = std::pow(10.0, digits);
  return std::round(value * scale) / scale;
}

struct ReaderOptions {
  std::string file;
  std::string stream = "content";
  int64_t batches = 200;
  std::string device = "auto";
  std::vector<std::string> overrides;
};

struct BenchStylizeOptions {
  std::string file;
  std::string method = "model";
  int64_t size = 256, batch = 1, repeats = 5, iterations = 10, threads = 0;
  std::string device = "auto";
  bool bf16 = false;
  std::vector<std::string> overrides;
};

CLI::App* add_reader_options(CLI::App& bench, ReaderOptions& options) {
  auto* reader = bench.add_subcommand("reader", "images/s of the data loader on one rank");
  reader->add_option("--config", options.file, "YAML config file")->required();
  reader->add_option("--stream", options.stream, "content | style")->check(CLI::IsMember({"content", "style"}));
  reader->add_option("--batches", options.batches, "batches to time after warm-up")->check(CLI::Range(1, 1000000));
  add_device_option(*reader, options.device);  // batches are copied there, as the trainer does
  reader->add_option("overrides", options.overrides, "section.key=value overrides");
  return reader;
}

CLI::App* add_bench_stylize_options(CLI::App& bench, BenchStylizeOptions& options) {
  auto* stylize = bench.add_subcommand("stylize", "images/s of stylisation (a model from a config, or gatys)");
  stylize->add_option("--config", options.file, "YAML config naming the model")->required();
  stylize->add_option("--method", options.method, "model | gatys")->check(CLI::IsMember({"model", "gatys"}));
  stylize->add_option("--size", options.size, "image side")->check(CLI::Range(32, 4096));
  stylize->add_option("--batch", options.batch, "images per call")->check(CLI::Range(1, 256));
  stylize->add_option("--repeats", options.repeats, "timed calls after one warm-up")->check(CLI::Range(1, 1000));
  stylize->add_option("--iterations", options.iterations, "gatys: L-BFGS iterations timed")->check(CLI::Range(1, 100000));
  stylize->add_option("--threads", options.threads, "CPU threads (0: the node's cores)")->check(CLI::Range(0, 1024));
  add_device_option(*stylize, options.device);
  add_bf16_option(*stylize, options.bf16);
  stylize->add_option("overrides", options.overrides, "section.key=value overrides");
  return stylize;
}

int run_reader_bench(const ReaderOptions& options) {
  const Config config = load_config(options.file, options.overrides);
  const c10::Device device = pick_device(parse_device_request(options.device));
  at::set_num_threads(threads_per_rank(/*requested=*/0, /*local_ranks=*/1));  // as bench stylize
  const std::string& folder = options.stream == "content" ? config.data.content : config.data.style;
  if (folder.empty()) throw ConfigError(fmt::format("data.{} is not set in {}", options.stream, options.file));
  auto dataset = std::make_shared<ShardedDataset>(folder, config.data.verify_checksums);
  const auto seed = static_cast<uint64_t>(config.train.seed);
  ShardedSampler sampler(dataset->size(), seed, /*rank=*/0, /*world_size=*/1, config.data.batch_size);
  AugmentOptions augment{config.data.size, config.data.random_crop, config.data.hflip};
  PrefetchLoader loader(dataset, sampler, augment, mix_keys(seed, 1), config.data.prefetch);
  const int64_t warmup = 5;
  for (int64_t i = 0; i < warmup; ++i) loader.next().images.to(device);
  const auto start = Clock::now();
  double probe = 0;  // reads every batch's first value, so that no batch is skipped unseen
  for (int64_t i = 0; i < options.batches; ++i) probe += loader.next().images.to(device)[0][0][0][0].item<float>();
  const double seconds = seconds_since(start);
  const int64_t images = options.batches * config.data.batch_size;
  const ordered_json line = {{"bench", "reader"},
                             {"stream", options.stream},
                             {"images", images},
                             {"seconds", round_to_digits(seconds, 4)},
                             {"images_per_s", round_to_digits(static_cast<double>(images) / seconds, 1)},
                             {"image_size", dataset->image_size()},
                             {"crop", config.data.size},
                             {"batch", config.data.batch_size},
                             {"device", device.str()},
                             {"threads", at::get_num_threads()},
                             {"probe", round_to_digits(probe, 3)}};
  fmt::print("{}\n", line.dump());
  return 0;
}

// One forward and backward of the evaluation network through every tap Gatys reads, the gradient
// reaching the image: what one L-BFGS iteration cannot cost less than. Median of `repeats` after a
// warm-up; .item() waits for a GPU.
double forward_backward_seconds(Vgg19& network, const at::Tensor& content, int64_t repeats) {
  std::vector<std::string> taps = EvaluationMetrics::style_taps();
  taps.push_back(EvaluationMetrics::content_tap());
  std::vector<double> seconds;
  for (int64_t r = 0; r <= repeats; ++r) {
    const at::Tensor image = content.detach().clone().set_requires_grad(true);
    const auto start = Clock::now();
    at::Tensor total = at::zeros({}, image.options());
    for (const auto& [tap, features] : network.features(image, taps)) total = total + features.mean();
    total.backward();
    total.item<double>();
    if (r > 0) seconds.push_back(seconds_since(start));  // r = 0: the warm-up
  }
  std::nth_element(seconds.begin(), seconds.begin() + seconds.size() / 2, seconds.end());
  return seconds[seconds.size() / 2];
}

// Gatys' L-BFGS iterations on one image pair, against one forward + backward of its network:
// ms_per_iteration excludes the setup (the content's features and the style's Grams, once).
ordered_json bench_gatys(const Config& config, const BenchStylizeOptions& options, const at::Tensor& content,
                         const at::Tensor& style) {
  auto network = std::make_shared<Vgg19>(evaluation_network_options(config.eval.network_width));
  network->freeze();
  network->to(content.device());
  const at::Tensor one_content = content.narrow(0, 0, 1), one_style = style.narrow(0, 0, 1);
  const double reference = forward_backward_seconds(*network, one_content, /*repeats=*/3);
  EvalConfig gatys_config = config.eval;
  gatys_config.gatys_steps = options.iterations;
  Gatys gatys(network, gatys_config);
  // Timed as eval runs it (setup and end only), then once more phase by phase, whose waits at each
  // phase edge slow a GPU's iterations.
  GatysProfile timed;
  timed.phases = false;
  gatys.stylize(one_content, one_style, /*objective_trace=*/nullptr, &timed);
  GatysProfile profile;
  gatys.stylize(one_content, one_style, /*objective_trace=*/nullptr, &profile);
  const double iterations = static_cast<double>(options.iterations);
  const double per_iteration = (timed.total_seconds - timed.setup_seconds) / iterations;
  const double evaluations = static_cast<double>(std::max<int64_t>(1, profile.evaluations));
  auto ms = [](double seconds) { return round_to_digits(1000 * seconds, 1); };
  return {{"bench", "stylize"},
          {"method", "gatys"},
          {"size", options.size},
          {"iterations", options.iterations},
          {"ms_per_iteration", ms(per_iteration)},
          {"seconds_for_500_iterations", round_to_digits(500 * per_iteration, 1)},
          {"evaluations", profile.evaluations},
          {"ms_forward_per_evaluation", ms(profile.forward_seconds / evaluations)},
          {"ms_loss_per_evaluation", ms(profile.loss_seconds / evaluations)},
          {"ms_backward_per_evaluation", ms(profile.backward_seconds / evaluations)},
          {"ms_optimiser_per_iteration",
           ms((profile.total_seconds - profile.setup_seconds - profile.objective_seconds()) / iterations)},
          {"ms_setup", ms(profile.setup_seconds)},
          {"ms_per_iteration_profiled", ms((profile.total_seconds - profile.setup_seconds) / iterations)},
          {"ms_forward_backward", ms(reference)},
          {"iteration_over_forward_backward", round_to_digits(per_iteration / reference, 3)},
          {"device", content.device().str()},
          {"threads", at::get_num_threads()}};
}

// A configured model (random weights: timing only), after one warm-up call.
ordered_json bench_model(const Config& config, const BenchStylizeOptions& options, const at::Tensor& content,
                         const at::Tensor& style) {
  auto model = make_model(config, /*weights_follow=*/true);
  model->to(content.device());
  model->eval();
  at::NoGradGuard no_grad;
  auto stylize = autocast_forward(options.bf16, content.device(), [&](const at::Tensor& c, const at::Tensor& s) {
    return model->stylize(c, s);
  });
  stylize(content, style).cpu();  // first-call allocations stay out of the timing
  const auto start = Clock::now();
  at::Tensor output;
  for (int64_t r = 0; r < options.repeats; ++r) output = stylize(content, style);
  output.cpu();  // a GPU runs the calls asynchronously: the timing ends when the last one has
  const double seconds = seconds_since(start);
  const double images = static_cast<double>(options.repeats * options.batch);
  return {{"bench", "stylize"},
          {"method", config.model.kind},
          {"width", config.model.width},
          {"size", options.size},
          {"batch", options.batch},
          {"bf16", options.bf16},
          {"images_per_s", round_to_digits(images / seconds, 2)},
          {"ms_per_image", round_to_digits(1000 * seconds / images, 1)},
          {"device", content.device().str()},
          {"threads", at::get_num_threads()}};
}

int run_stylize_bench(const BenchStylizeOptions& options) {
  const Config config = load_config(options.file, options.overrides);
  // One process, not launched with MPI: train's rule for one rank unless --threads says otherwise.
  at::set_num_threads(threads_per_rank(options.threads, /*local_ranks=*/1));
  const c10::Device device = pick_device(parse_device_request(options.device));
  if (options.bf16 && options.method == "gatys")
    throw ConfigError("--bf16 applies to --method model: Gatys optimises its image in fp32");
  setup_logging(/*rank=*/0);  // to stderr: stdout carries only the JSON line
  log_bf16_choice(options.bf16, device);
  at::manual_seed(0);
  const at::Tensor content = at::rand({options.batch, 3, options.size, options.size}).to(device);
  const at::Tensor style = at::rand({options.batch, 3, options.size, options.size}).to(device);
  const ordered_json line = options.method == "gatys" ? bench_gatys(config, options, content, style)
                                                      : bench_model(config, options, content, style);
  fmt::print("{}\n", line.dump());
  return 0;
}

}  // namespace

Command add_bench_command(CLI::App& parent) {
  auto reader_options = std::make_shared<ReaderOptions>();
  auto stylize_options = std::make_shared<BenchStylizeOptions>();
  auto allreduce_options = std::make_shared<AllreduceBenchOptions>();
  Command command;
  command.app = parent.add_subcommand("bench", "measure parts of the pipeline");
  command.app->require_subcommand(1);
  add_reader_options(*command.app, *reader_options);
  auto* stylize = add_bench_stylize_options(*command.app, *stylize_options);
  auto* allreduce = add_allreduce_bench_options(*command.app, *allreduce_options);
  command.run = [reader_options, stylize_options, allreduce_options, stylize, allreduce] {
    if (allreduce->parsed()) return run_allreduce_bench(*allreduce_options);
    return stylize->parsed() ? run_stylize_bench(*stylize_options) : run_reader_bench(*reader_options);
  };
  return command;
}

}  // namespace varstyle
