// varstyle bench reader: the data path's throughput on this rank (read, checksum, crop, flip,
// float conversion through the prefetch thread); varstyle bench stylize: images/s of stylisation
// by a model built from a config, or of Gatys. Both for experiments/bench/.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "apps/commands.h"
#include "core/config.h"
#include "core/error.h"
#include "core/hash.h"
#include "data/prefetch_loader.h"
#include "eval/gatys.h"
#include "models/style_model.h"

namespace varstyle {

Command add_bench_command(CLI::App& parent) {
  struct Options {
    std::string file;
    std::string stream = "content";
    int64_t batches = 200;
    std::vector<std::string> overrides;
  };
  auto options = std::make_shared<Options>();
  Command command;
  command.app = parent.add_subcommand("bench", "measure parts of the pipeline");
  command.app->require_subcommand(1);
  // `bench reader` and `bench stylize` share the command's run function; it checks which parsed.
  auto* reader = command.app->add_subcommand("reader", "images/s of the data loader on one rank");
  reader->add_option("--config", options->file, "YAML config file")->required();
  reader->add_option("--stream", options->stream, "content | style")->check(CLI::IsMember({"content", "style"}));
  reader->add_option("--batches", options->batches, "batches to time after warm-up")->check(CLI::Range(1, 1000000));
  reader->add_option("overrides", options->overrides, "section.key=value overrides");
  command.run = [options] {
    const Config config = load_config(options->file, options->overrides);
    const std::string& folder = options->stream == "content" ? config.data.content : config.data.style;
    if (folder.empty())
      throw ConfigError(fmt::format("data.{} is not set in {}", options->stream, options->file));
    auto dataset = std::make_shared<ShardedDataset>(folder, config.data.verify_checksums);
    const auto seed = static_cast<uint64_t>(config.train.seed);
    ShardedSampler sampler(dataset->size(), seed, /*rank=*/0, /*world_size=*/1, config.data.batch_size);
    AugmentOptions augment{config.data.size, config.data.random_crop, config.data.hflip};
    PrefetchLoader loader(dataset, sampler, augment, mix_keys(seed, 1), config.data.prefetch);
    const int64_t warmup = 5;
    for (int64_t i = 0; i < warmup; ++i) loader.next();
    const auto start = std::chrono::steady_clock::now();
    double checksum = 0;
    for (int64_t i = 0; i < options->batches; ++i) checksum += loader.next().images[0][0][0][0].item<float>();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double images = static_cast<double>(options->batches * config.data.batch_size);
    fmt::print("{{\"bench\": \"reader\", \"stream\": \"{}\", \"images\": {}, \"seconds\": {:.4f}, "
               "\"images_per_s\": {:.1f}, \"image_size\": {}, \"crop\": {}, \"batch\": {}, \"probe\": {:.3f}}}\n",
               options->stream, images, seconds, images / seconds, dataset->image_size(),
               config.data.size, config.data.batch_size, checksum);
    return 0;
  };
  // Stylisation throughput of a configured model (random weights: timing only), or of Gatys'
  // iterations, on random images of a given size and batch.
  struct StylizeOptions {
    std::string file;
    std::string method = "model";
    int64_t size = 256, batch = 1, repeats = 5, iterations = 10, threads = 0;
    std::vector<std::string> overrides;
  };
  auto stylize = std::make_shared<StylizeOptions>();
  auto* stylize_cmd = command.app->add_subcommand("stylize", "images/s of stylisation (a model from a config, or gatys)");
  stylize_cmd->add_option("--config", stylize->file, "YAML config naming the model")->required();
  stylize_cmd->add_option("--method", stylize->method, "model | gatys")->check(CLI::IsMember({"model", "gatys"}));
  stylize_cmd->add_option("--size", stylize->size, "image side")->check(CLI::Range(32, 4096));
  stylize_cmd->add_option("--batch", stylize->batch, "images per call")->check(CLI::Range(1, 256));
  stylize_cmd->add_option("--repeats", stylize->repeats, "timed calls after one warm-up")->check(CLI::Range(1, 1000));
  stylize_cmd->add_option("--iterations", stylize->iterations, "gatys: L-BFGS iterations timed")->check(CLI::Range(1, 100000));
  stylize_cmd->add_option("--threads", stylize->threads, "CPU threads (0: all cores)")->check(CLI::Range(0, 1024));
  stylize_cmd->add_option("overrides", stylize->overrides, "section.key=value overrides");
  auto run_reader = command.run;
  command.run = [options, stylize, stylize_cmd, run_reader] {
    if (!stylize_cmd->parsed()) return run_reader();
    Config config = load_config(stylize->file, stylize->overrides);
    if (stylize->threads > 0) at::set_num_threads(static_cast<int>(stylize->threads));
    at::manual_seed(0);
    const at::Tensor content = at::rand({stylize->batch, 3, stylize->size, stylize->size});
    const at::Tensor style = at::rand({stylize->batch, 3, stylize->size, stylize->size});
    using Clock = std::chrono::steady_clock;
    if (stylize->method == "gatys") {
      auto network = std::make_shared<Vgg19>(Vgg19Options{config.eval.network_width, "reflect", "relu5_1"});
      network->freeze();
      EvalConfig gatys_config = config.eval;
      gatys_config.gatys_steps = stylize->iterations;
      Gatys gatys(network, gatys_config);
      const auto start = Clock::now();
      gatys.stylize(content.narrow(0, 0, 1), style.narrow(0, 0, 1));
      const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
      fmt::print("{{\"bench\": \"stylize\", \"method\": \"gatys\", \"size\": {}, \"iterations\": {}, "
                 "\"ms_per_iteration\": {:.1f}, \"seconds_for_500_iterations\": {:.1f}, \"threads\": {}}}\n",
                 stylize->size, stylize->iterations, 1000 * seconds / stylize->iterations, 500 * seconds / stylize->iterations,
                 at::get_num_threads());
      return 0;
    }
    auto model = make_model(config, /*weights_follow=*/true);
    model->eval();
    at::NoGradGuard no_grad;
    model->stylize(content, style);  // warm-up: first-call allocations
    const auto start = Clock::now();
    for (int64_t r = 0; r < stylize->repeats; ++r) model->stylize(content, style);
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    const double images = static_cast<double>(stylize->repeats * stylize->batch);
    fmt::print("{{\"bench\": \"stylize\", \"method\": \"{}\", \"width\": {}, \"size\": {}, \"batch\": {}, "
               "\"images_per_s\": {:.2f}, \"ms_per_image\": {:.1f}, \"threads\": {}}}\n",
               config.model.kind, config.model.width, stylize->size, stylize->batch, images / seconds,
               1000 * seconds / images, at::get_num_threads());
    return 0;
  };
  return command;
}

}  // namespace varstyle
