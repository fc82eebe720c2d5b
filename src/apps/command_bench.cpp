// varstyle bench reader: the data path's throughput on this rank (read, checksum, crop, flip,
// float conversion through the prefetch thread), for experiments/bench/.
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
  return command;
}

}  // namespace varstyle
