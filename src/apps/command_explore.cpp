// varstyle explore: the latent explorer (issue 14) on a trained checkpoint. Everything that can
// be refused (options, the checkpoint, the images) is checked before the server starts.
#include <ATen/Parallel.h>

#include <cstdio>

#include <fmt/format.h>

#include "apps/commands.h"
#include "core/error.h"
#include "core/thread_count.h"
#include "dist/device_choice.h"
#include "explore/explore_server.h"
#include "explore/explorer.h"
#include "nets/autocast_scope.h"
#include "checkpoint/checkpoint_model.h"

namespace varstyle {

namespace {

constexpr size_t kDefaultContents = 4;

// The given images, or the first of the data the checkpoint was trained on.
std::vector<SourceImage> images_or_training_data(const std::string& option, const std::vector<std::string>& given,
                                                 const std::string& trained_on, const std::string& key, size_t limit) {
  if (!given.empty()) return load_source_images(option, given, limit);
  if (trained_on.empty()) throw ConfigError(fmt::format("{}: none given, and the checkpoint names no {}", option, key));
  try {
    return load_source_images(option, {trained_on}, limit);
  } catch (const ConfigError& e) {
    throw ConfigError(fmt::format("{}: none given, and the checkpoint's {} cannot be used ({}); give {}", option, key,
                                  e.what(), option));
  }
}

}  // namespace

Command add_explore_command(CLI::App& parent) {
  struct Options {
    std::string checkpoint, host = "127.0.0.1", device = "auto";
    std::vector<std::string> contents, styles;
    int port = 8765;
    size_t max_styles = 64;
    bool bf16 = false;
  };
  auto o = std::make_shared<Options>();
  Command command;
  command.app = parent.add_subcommand("explore", "a local web page with a slider per latent dimension (the latent explorer)");
  command.app->add_option("--checkpoint", o->checkpoint, "checkpoint folder, run folder or model.h5")->required();
  command.app->add_option("--content", o->contents, "content image, image folder or varstyle-prep output (repeatable; default: the first 4 of the checkpoint's data.content)");
  command.app->add_option("--style", o->styles, "style image, image folder or varstyle-prep output (repeatable; default: the checkpoint's data.style)");
  command.app->add_option("--max-styles", o->max_styles, "style presets loaded at most")->check(CLI::Range(1, 4096))->capture_default_str();
  command.app->add_option("--port", o->port, "TCP port (0: any free one)")->check(CLI::Range(0, 65535))->capture_default_str();
  command.app->add_option("--host", o->host, "address to listen on; anything but loopback exposes the page to the network")->capture_default_str();
  add_device_option(*command.app, o->device);
  add_bf16_option(*command.app, o->bf16);
  command.run = [o] {
    const c10::Device device = pick_device(parse_device_request(o->device));
    log_bf16_choice(o->bf16, device);
    at::set_num_threads(threads_per_rank(/*requested=*/0, /*local_ranks=*/1));
    LoadedModel loaded = load_checkpoint_model(o->checkpoint, device);
    std::vector<SourceImage> contents = images_or_training_data("--content", o->contents, loaded.config.data.content,
                                                                "data.content", kDefaultContents);
    if (contents.size() > kMaxContents)
      throw ConfigError(fmt::format("--content: {} images, the row shows at most {}", contents.size(), kMaxContents));
    std::vector<SourceImage> styles = images_or_training_data("--style", o->styles, loaded.config.data.style, "data.style", o->max_styles);
    const std::string kind = loaded.config.model.kind;
    const std::string model_file = loaded.model_file.string();
    Explorer explorer(std::move(loaded), std::move(contents), std::move(styles), device, o->bf16);
    if (!is_loopback_host(o->host))
      fmt::print(stderr, "varstyle explore: warning: listening on {}: anyone who reaches this machine can use the page\n", o->host);
    serve_explorer(explorer, {o->host, o->port}, [&](const std::string& url) {
      fmt::print("varstyle explore: {} model from {} on {}\nvarstyle explore: open {} (Ctrl-C stops)\n", kind,
                 model_file, device.str(), url);
      std::fflush(stdout);
    });
    fmt::print("varstyle explore: stopped\n");
    return 0;
  };
  return command;
}

}  // namespace varstyle
