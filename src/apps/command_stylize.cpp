// varstyle stylize and varstyle sample: the everyday commands on a trained checkpoint, for one
// content image of any size, written as PNG or JPEG by the output's extension.
#include <ATen/core/grad_mode.h>

#include <sstream>

#include <fmt/format.h>

#include "apps/commands.h"
#include "core/error.h"
#include "eval/grid.h"
#include "eval/image_io.h"
#include "train/checkpoint_model.h"

namespace varstyle {

namespace {

// The networks pool three times: inputs are padded to multiples of 8.
constexpr int64_t kMultiple = 8;

std::vector<double> parse_mix(const std::string& text, size_t styles) {
  std::vector<double> weights;
  if (text.empty()) return std::vector<double>(styles, 1.0 / static_cast<double>(styles));
  std::stringstream in(text);
  for (std::string part; std::getline(in, part, ',');) {
    try {
      weights.push_back(std::stod(part));
    } catch (const std::exception&) {
      throw ConfigError(fmt::format("--mix {}: '{}' is not a number", text, part));
    }
  }
  if (weights.size() != styles)
    throw ConfigError(fmt::format("--mix {}: {} weights for {} --style images", text, weights.size(), styles));
  return weights;
}

}  // namespace

Command add_stylize_command(CLI::App& parent) {
  struct Options {
    std::string checkpoint, content, out, mix;
    std::vector<std::string> styles;
    double alpha = 1.0;
    int size = 512;
    bool preserve_color = false;
  };
  auto o = std::make_shared<Options>();
  Command command;
  command.app = parent.add_subcommand("stylize", "stylise one content image with a trained checkpoint");
  command.app->add_option("--checkpoint", o->checkpoint, "checkpoint folder, run folder or model.h5")->required();
  command.app->add_option("--content", o->content, "content image")->required();
  command.app->add_option("--style", o->styles, "style image (repeat to mix several)")->required();
  command.app->add_option("--mix", o->mix, "weights of the styles, e.g. 0.3,0.7 (default: equal)");
  command.app->add_option("--alpha", o->alpha, "content-style trade-off, 0..1")->check(CLI::Range(0.0, 1.0));
  command.app->add_option("--size", o->size, "short side of the content before stylising (0: as is)")->check(CLI::Range(0, 8192));
  command.app->add_flag("--preserve-color", o->preserve_color, "keep the content's colours");
  command.app->add_option("--out", o->out, "output image (.png, .jpg)")->required();
  command.run = [o] {
    const LoadedModel loaded = load_checkpoint_model(o->checkpoint, c10::Device(c10::kCPU));
    const cv::Mat content_rgb = resize_short_side(read_image_rgb(o->content), o->size);
    const at::Tensor content = from_rgb_image(content_rgb);
    std::vector<at::Tensor> styles;
    for (const auto& style : o->styles) styles.push_back(from_rgb_image(resize_short_side(read_image_rgb(style), o->size)));
    const std::vector<double> weights = parse_mix(o->mix, styles.size());
    if (styles.size() > 1 && o->alpha != 1.0) throw ConfigError("--alpha applies to a single --style; with --mix, weight the styles instead");
    at::NoGradGuard no_grad;
    const at::Tensor output = run_padded(content, kMultiple, [&](const at::Tensor& padded) {
      return styles.size() == 1 ? loaded.model->stylize(padded, styles[0], o->alpha)
                                : loaded.model->interpolate(padded, styles, weights);
    });
    cv::Mat result = to_rgb_image(output[0]);
    if (o->preserve_color) result = preserve_color(result, content_rgb);
    write_image(o->out, result);
    fmt::print("wrote {} ({}x{}, {} model from {})\n", o->out, result.cols, result.rows, loaded.config.model.kind,
               loaded.model_file.string());
    return 0;
  };
  return command;
}

Command add_sample_command(CLI::App& parent) {
  struct Options {
    std::string checkpoint, content, out;
    int64_t count = 8;
    uint64_t seed = 0;
    int size = 256;
  };
  auto o = std::make_shared<Options>();
  Command command;
  command.app = parent.add_subcommand("sample", "new styles drawn from the latent prior, on one content image");
  command.app->add_option("--checkpoint", o->checkpoint, "checkpoint folder, run folder or model.h5")->required();
  command.app->add_option("--content", o->content, "content image")->required();
  command.app->add_option("--count", o->count, "number of sampled styles")->check(CLI::Range(1, 256));
  command.app->add_option("--seed", o->seed, "seed of the draws");
  command.app->add_option("--size", o->size, "short side of the content (0: as is)")->check(CLI::Range(0, 8192));
  command.app->add_option("--out", o->out, "output image (.png, .jpg): the content, then the samples")->required();
  command.run = [o] {
    const LoadedModel loaded = load_checkpoint_model(o->checkpoint, c10::Device(c10::kCPU));
    const at::Tensor content = from_rgb_image(resize_short_side(read_image_rgb(o->content), o->size));
    at::NoGradGuard no_grad;
    const at::Tensor samples = run_padded(content, kMultiple, [&](const at::Tensor& padded) {
      return loaded.model->sample(padded, o->count, o->seed);
    });
    // One row: the content image, then each sample side by side.
    const at::Tensor strip = at::cat(at::split(at::cat({content, samples.clamp(0, 1)}, 0), 1, 0), 3)[0];
    write_image(o->out, to_rgb_image(strip));
    fmt::print("wrote {} ({} samples, seed {})\n", o->out, o->count, o->seed);
    return 0;
  };
  return command;
}

}  // namespace varstyle
