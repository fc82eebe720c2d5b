// varstyle stylize and varstyle sample: the everyday commands on a trained checkpoint, for one
// content image of any size, written as PNG or JPEG by the output's extension.
#include <ATen/Parallel.h>
#include <ATen/core/grad_mode.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include <fmt/format.h>

#include "apps/commands.h"
#include "core/error.h"
#include "core/logging.h"
#include "core/thread_count.h"
#include "dist/device_choice.h"
#include "image/grid.h"
#include "image/image_io.h"
#include "explore/code_file.h"
#include "nets/autocast_scope.h"
#include "checkpoint/checkpoint_model.h"

namespace varstyle {

namespace {

// The networks pool three times: inputs are padded to multiples of 8.
constexpr int64_t kMultiple = 8;
// The shorter side an input needs: three poolings leave 2x2 feature maps, the least that the
// reflection padding of the deepest convolutions accepts.
constexpr int kMinSide = 16;

// Why `text` is not a finite number on its own (trailing letters, nan, inf, overflow), or "".
std::string number_problem(const std::string& text, double* value) {
  const char* begin = text.c_str();
  char* end = nullptr;
  errno = 0;
  *value = std::strtod(begin, &end);
  const int error = errno;
  const bool whole = end != begin && std::all_of(static_cast<const char*>(end), begin + text.size(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
  if (!whole || error == ERANGE) return fmt::format("'{}' is not a number", text);
  if (!std::isfinite(*value)) return fmt::format("'{}' is not a finite number", text);
  return "";
}

double parse_finite(const std::string& option, const std::string& text) {
  double value = 0;
  const std::string problem = number_problem(text, &value);
  if (!problem.empty()) throw ConfigError(fmt::format("{}: {}", option, problem));
  return value;
}

// For CLI11 options: it would otherwise take "nan" (which every range check lets through).
CLI::Validator finite_number() {
  return CLI::Validator(
      [](std::string& text) {
        double value = 0;
        return number_problem(text, &value);
      },
      "NUMBER");
}

std::vector<double> parse_mix(const std::string& text, size_t styles) {
  std::vector<double> weights;
  if (text.empty()) return std::vector<double>(styles, 1.0 / static_cast<double>(styles));
  std::stringstream in(text);
  for (std::string part; std::getline(in, part, ',');) weights.push_back(parse_finite("--mix " + text, part));
  if (weights.size() != styles)
    throw ConfigError(fmt::format("--mix {}: {} weights for {} --style images", text, weights.size(), styles));
  return weights;
}

// --size 0 keeps images as they are; any other size below the networks' minimum is refused.
void check_size(int size) {
  if (size != 0 && size < kMinSide)
    throw ConfigError(fmt::format("--size {}: the networks need at least {} pixels on the shorter side (or 0: as is)",
                                  size, kMinSide));
}

// Reads `path` and resizes its shorter side to `size`; refuses an image too small for the networks.
cv::Mat read_input(const std::string& option, const std::string& path, int size) {
  const cv::Mat rgb = resize_short_side(read_image_rgb(path), size);
  if (std::min(rgb.cols, rgb.rows) < kMinSide)
    throw ConfigError(fmt::format("{} {}: {}x{} pixels{}; the networks need at least {} on the shorter side", option,
                                  path, rgb.cols, rgb.rows, size == 0 ? " (--size 0 keeps it as it is)" : "",
                                  kMinSide));
  return rgb;
}

// One process, not launched with MPI: the node's cores are all its own (train's rule, one rank).
int set_threads() {
  const int threads = threads_per_rank(/*requested=*/0, /*local_ranks=*/1);
  at::set_num_threads(threads);
  return threads;
}

// The code of an exported explorer view as a [1, D] tensor for `loaded`'s model; refuses a model
// without a code, another kind or another latent size, naming the file.
at::Tensor code_for_model(const std::string& path, const CodeFile& file, const LoadedModel& loaded, const c10::Device& device) {
  const std::string kind = loaded.config.model.kind;
  if (!loaded.model->has_style_code())
    throw ConfigError(fmt::format("--code {}: model kind '{}' has no style code (use --style)", path, kind));
  if (file.kind != kind)
    throw ConfigError(fmt::format("--code {}: kind: exported from a '{}' model, the checkpoint is '{}'", path, file.kind, kind));
  if (static_cast<int64_t>(file.code.size()) != loaded.model->code_size())
    throw ConfigError(fmt::format("--code {}: code: {} numbers, the model's style code has {}", path, file.code.size(),
                                  loaded.model->code_size()));
  return at::tensor(at::ArrayRef<float>(file.code)).view({1, -1}).to(device);
}

// --code's size and alpha apply unless the option was given on the command line.
void take_view_settings(const CLI::App& app, const CodeFile& file, int* size, double* alpha) {
  if (app.count("--size") == 0) *size = file.size;
  if (alpha != nullptr && app.count("--alpha") == 0) *alpha = file.alpha;
}

struct StylizeOptions {
  std::string checkpoint, content, out, mix, code;
  std::vector<std::string> styles;
  std::string device = "auto";
  double alpha = 1.0;
  int size = 512;
  bool preserve_color = false;
  bool bf16 = false;
};

void add_stylize_options(CLI::App& app, StylizeOptions& o) {
  app.add_option("--checkpoint", o.checkpoint, "checkpoint folder, run folder or model.h5")->required();
  app.add_option("--content", o.content, "content image")->required();
  auto* style = app.add_option("--style", o.styles, "style image (repeat to mix several)");
  auto* mix = app.add_option("--mix", o.mix, "weights of the styles, e.g. 0.3,0.7 (default: equal)");
  app.add_option("--code", o.code, "a code exported by varstyle explore (JSON) instead of --style; its alpha and size apply unless given")
      ->excludes(style)
      ->excludes(mix);
  app.add_option("--alpha", o.alpha, "content-style trade-off, 0..1")->check(finite_number())->check(CLI::Range(0.0, 1.0));
  app.add_option("--size", o.size, "short side of the content before stylising (0: as is)")->check(CLI::Range(0, 8192));
  app.add_flag("--preserve-color", o.preserve_color, "keep the content's colours");
  app.add_option("--out", o.out, "output image (.png, .jpg)")->required();
  add_device_option(app, o.device);
  add_bf16_option(app, o.bf16);
}

int run_stylize(StylizeOptions& o, const CLI::App& app) {
  // Everything the user gave is checked before the model is loaded or anything is written.
  if (o.styles.empty() && o.code.empty()) throw ConfigError("--style or --code is required");
  CodeFile code_file;
  if (!o.code.empty()) {
    code_file = read_code_file(o.code);
    take_view_settings(app, code_file, &o.size, &o.alpha);
  }
  const std::vector<double> weights = o.styles.empty() ? std::vector<double>{} : parse_mix(o.mix, o.styles.size());
  if (o.styles.size() > 1 && o.alpha != 1.0) throw ConfigError("--alpha applies to a single --style; with --mix, weight the styles instead");
  check_size(o.size);
  check_output_image("--out", o.out);
  const c10::Device device = pick_device(parse_device_request(o.device));
  const int threads = set_threads();
  setup_logging(/*rank=*/0);
  log_bf16_choice(o.bf16, device);
  const cv::Mat content_rgb = read_input("--content", o.content, o.size);
  const at::Tensor content = from_rgb_image(content_rgb).to(device);
  std::vector<at::Tensor> styles;
  for (const auto& style : o.styles) styles.push_back(from_rgb_image(read_input("--style", style, o.size)).to(device));
  const LoadedModel loaded = load_checkpoint_model(o.checkpoint, device);
  const at::Tensor code = o.code.empty() ? at::Tensor() : code_for_model(o.code, code_file, loaded, device);
  at::NoGradGuard no_grad;
  const at::Tensor output = run_padded(content, kMultiple, autocast_forward(o.bf16, device, [&](const at::Tensor& padded) {
    if (code.defined()) return loaded.model->decode(padded, code, o.alpha);
    return styles.size() == 1 ? loaded.model->stylize(padded, styles[0], o.alpha)
                              : loaded.model->interpolate(padded, styles, weights);
  }));
  cv::Mat result = to_rgb_image(output[0]);
  if (o.preserve_color) result = preserve_color(result, content_rgb);
  write_image(o.out, result);
  fmt::print("wrote {} ({}x{}, {} model from {}, {} thread(s))\n", o.out, result.cols, result.rows,
             loaded.config.model.kind, loaded.model_file.string(), threads);
  return 0;
}

}  // namespace

Command add_stylize_command(CLI::App& parent) {
  auto options = std::make_shared<StylizeOptions>();
  Command command;
  command.app = parent.add_subcommand("stylize", "stylise one content image with a trained checkpoint");
  add_stylize_options(*command.app, *options);
  command.run = [options, app = command.app] { return run_stylize(*options, *app); };
  return command;
}

Command add_sample_command(CLI::App& parent) {
  struct Options {
    std::string checkpoint, content, out, code;
    int64_t count = 8;
    uint64_t seed = 0;
    int size = 256;
    std::string device = "auto";
    bool bf16 = false;
  };
  auto o = std::make_shared<Options>();
  Command command;
  command.app = parent.add_subcommand("sample", "new styles drawn from the latent prior, on one content image");
  command.app->add_option("--checkpoint", o->checkpoint, "checkpoint folder, run folder or model.h5")->required();
  command.app->add_option("--content", o->content, "content image")->required();
  command.app->add_option("--count", o->count, "number of sampled styles")->check(CLI::Range(1, 256));
  command.app->add_option("--seed", o->seed, "seed of the draws");
  command.app->add_option("--code", o->code, "decode this code exported by varstyle explore (JSON) instead of drawing; its size applies unless given");
  command.app->add_option("--size", o->size, "short side of the content (0: as is)")->check(CLI::Range(0, 8192));
  command.app->add_option("--out", o->out, "output image (.png, .jpg): the content, then the samples")->required();
  add_device_option(*command.app, o->device);
  add_bf16_option(*command.app, o->bf16);
  command.run = [o, app = command.app] {
    CodeFile code_file;
    if (!o->code.empty()) {
      code_file = read_code_file(o->code);
      take_view_settings(*app, code_file, &o->size, nullptr);
    }
    check_size(o->size);
    check_output_image("--out", o->out);
    const c10::Device device = pick_device(parse_device_request(o->device));
    const int threads = set_threads();
    setup_logging(/*rank=*/0);
    log_bf16_choice(o->bf16, device);
    const at::Tensor content = from_rgb_image(read_input("--content", o->content, o->size)).to(device);
    const LoadedModel loaded = load_checkpoint_model(o->checkpoint, device);
    const at::Tensor code = o->code.empty() ? at::Tensor() : code_for_model(o->code, code_file, loaded, device);
    at::NoGradGuard no_grad;
    const at::Tensor samples = run_padded(content, kMultiple, autocast_forward(o->bf16, device, [&](const at::Tensor& padded) {
      // The exported view's alpha as well, so that the strip shows what the explorer showed.
      if (code.defined()) return loaded.model->decode(padded, code, code_file.alpha);
      return loaded.model->sample(padded, o->count, o->seed);
    }));
    // One row: the content image, then each sample side by side.
    const at::Tensor strip = at::cat(at::split(at::cat({content, samples.clamp(0, 1)}, 0), 1, 0), 3)[0];
    write_image(o->out, to_rgb_image(strip));
    if (code.defined()) {
      fmt::print("wrote {} (the code of {}, {} thread(s))\n", o->out, o->code, threads);
    } else {
      fmt::print("wrote {} ({} samples, seed {}, {} thread(s))\n", o->out, o->count, o->seed, threads);
    }
    return 0;
  };
  return command;
}

}  // namespace varstyle
