// preflight: configuration values, weight files, datasets and one probe step, in that order.
#include "train/preflight.h"

#include <ATen/core/grad_mode.h>
#include <c10/util/Exception.h>
#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>

#include "core/error.h"
#include "data/prefetch_loader.h"
#include "dist/consistency.h"
#include "models/linear_model.h"
#include "losses/perceptual_criterion.h"
#include "nets/resnet.h"
#include "nets/vgg19.h"
#include "nets/autocast_scope.h"

namespace varstyle {
namespace fs = std::filesystem;

namespace {

std::string message_of(const std::exception& e) {
  const auto* torch_error = dynamic_cast<const c10::Error*>(&e);
  return torch_error ? torch_error->what_without_backtrace() : e.what();
}

std::string vgg_tap(const std::string& conv_name) { return "relu" + conv_name.substr(4); }

// The taps the configured loss network offers. ResNet's come from a throwaway instance at the
// smallest width (names do not depend on it); make_model reseeds the generator it draws from.
std::vector<std::string> loss_network_taps(const LossConfig& loss) {
  std::vector<std::string> taps;
  if (loss.network == LossNetwork::kResnet) {
    taps = ResNet(0.01).tap_names();
  } else {
    for (const auto& layer : Vgg19::full_layers(1.0)) taps.push_back(vgg_tap(layer.name));
  }
  taps.push_back(kImageTap);
  return taps;
}

std::string tap_problem(const LossConfig& loss) {
  const auto taps = loss_network_taps(loss);
  for (const auto& [key, list] : {std::pair{"loss.style_layers", &loss.style_layers},
                                  std::pair{"loss.content_layers", &loss.content_layers}})
    for (const auto& tap : *list)
      if (std::find(taps.begin(), taps.end(), tap) == taps.end())
        return fmt::format("{}: '{}' is not a tap of the loss network {} (taps: {})", key, tap, enum_name(loss.network),
                           fmt::join(taps, ", "));
  return "";
}

std::string weight_file_problem(const std::string& key, const std::string& path) {
  std::error_code ec;
  if (path.empty() || fs::is_regular_file(path, ec)) return "";
  return fmt::format("{}: {}: {}", key, path, fs::exists(path, ec) ? "not a regular file" : "no such file");
}

// The linear transform's two FC layers have linear_dim^4 weights each: the one key that can make
// a model too large to allocate. Parameters, gradients and Adam's two moments are 16 bytes per
// weight, and the model is built in host memory before it moves to a device.
std::string memory_problem(const Config& config, int local_ranks) {
  if (config.model.kind != "linear") return "";
  int64_t channels = 0;
  for (const auto& layer : Vgg19::full_layers(config.model.width))
    if (vgg_tap(layer.name) == config.model.encoder_depth) channels = layer.out_channels;
  const double parameters = static_cast<double>(LinearTransform::parameter_count(channels, config.model.linear_dim));
  const double needed = 16.0 * parameters;
  const double memory = static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGE_SIZE));
  const double per_rank = memory / std::max(1, local_ranks);
  if (needed <= per_rank) return "";
  const int64_t d2 = config.model.linear_dim * config.model.linear_dim;
  return fmt::format("model.linear_dim: {} gives the linear transform two {} x {} layers, {:.3g} parameters: "
                     "{:.1f} GB with gradients and Adam's moments, more than the {:.1f} GB of memory per rank on "
                     "this node ({} rank(s)); the paper uses 32",
                     config.model.linear_dim, d2, d2, parameters, needed / 1e9, per_rank / 1e9, local_ranks);
}

std::string value_problem(const Config& config, int local_ranks) {
  for (const auto& [key, path] : {std::pair{"data.content", &config.data.content}, std::pair{"data.style", &config.data.style}})
    if (path->empty()) return fmt::format("{}: is empty; name a varstyle-prep output folder", key);
  // Adam divides by 1 - beta^t: a beta of 1 divides by zero.
  for (const auto& [key, beta] : {std::pair{"optim.beta1", config.optim.beta1}, std::pair{"optim.beta2", config.optim.beta2}})
    if (beta >= 1.0) return fmt::format("{}: {} must be below 1 (Adam divides by 1 - {}^step)", key, beta, key);
  std::string problem = tap_problem(config.loss);
  if (problem.empty()) problem = weight_file_problem("model.encoder_weights", config.model.encoder_weights);
  if (problem.empty()) problem = weight_file_problem("loss.network_weights", config.loss.network_weights);
  if (problem.empty()) problem = memory_problem(config, local_ranks);
  return problem;
}

std::string dataset_problem(const std::string& key, const std::string& folder, const Config& config, int ranks,
                            std::shared_ptr<ShardedDataset>* dataset) {
  try {
    *dataset = std::make_shared<ShardedDataset>(folder, config.data.verify_checksums);
  } catch (const std::exception& e) {
    return fmt::format("{}: {}", key, message_of(e));
  }
  const auto& data = **dataset;
  if (config.data.size > data.image_size())
    return fmt::format("data.size: {} is larger than the {}x{} images of {} ({})", config.data.size,
                       data.image_size(), data.image_size(), key, folder);
  // The sampler drops the remainder of an epoch: an epoch must hold at least one global batch.
  const int64_t per_step = config.data.batch_size * ranks;
  if (per_step > data.size())
    return fmt::format("data.batch_size: {} image(s) per rank x {} rank(s) = {} a step, but {} ({}) holds {}",
                       config.data.batch_size, ranks, per_step, key, folder, data.size());
  return "";
}

// One real batch through stylize and a training step (no gradients): catches sizes the decoder
// cannot give back and any shape the losses cannot take, with the key that decides them.
std::string probe_problem(StyleModel& model, PreflightResult& result, const Config& config, const c10::Device& device) {
  const int64_t batch = config.data.batch_size;
  std::vector<SampleKey> keys;
  for (int64_t i = 0; i < batch; ++i) keys.push_back({i, 0, i});
  const AugmentOptions centre{config.data.size, false, false};
  const std::string setting = fmt::format("model.kind={} at data.size={} (data.batch_size {}, model.encoder_depth {})",
                                          config.model.kind, config.data.size, batch, config.model.encoder_depth);
  try {
    StepInput input{PrefetchLoader::load_batch(*result.content, keys, centre, 0).images.to(device),
                    PrefetchLoader::load_batch(*result.style, keys, centre, 0).images.to(device), {}, 0};
    at::NoGradGuard no_grad;
    model.eval();
    const at::Tensor output = model.stylize(input.content, input.style);
    model.train();
    if (output.sizes() != input.content.sizes()) {
      int64_t multiple = 1;
      for (const auto& layer : Vgg19::full_layers(1.0)) {
        if (vgg_tap(layer.name) == config.model.encoder_depth) break;
        if (layer.pool_after) multiple *= 2;
      }
      const int64_t below = config.data.size / multiple * multiple;
      return fmt::format("data.size: {0} comes back from {1} as {2}x{3}: the encoder halves it down to "
                         "model.encoder_depth and the decoder doubles it back, so use a multiple of {4} ({5} or {6})",
                         config.data.size, config.model.kind, output.size(2), output.size(3), multiple,
                         below, below + multiple);
    }
    AutocastScope bf16(config.train.bf16, device.type());  // as the trainer runs it: bf16 kernels fail here
    model.training_step(input);
  } catch (const std::exception& e) {
    model.train();
    return fmt::format("{}: a training step fails: {}", setting, message_of(e));
  }
  return "";
}

}  // namespace

PreflightResult preflight(const Config& config, Communicator& communicator, const c10::Device& device, int local_ranks) {
  const int ranks = communicator.size();
  refuse_together(communicator, value_problem(config, local_ranks));

  PreflightResult result;
  std::string problem = dataset_problem("data.content", config.data.content, config, ranks, &result.content);
  if (problem.empty()) problem = dataset_problem("data.style", config.data.style, config, ranks, &result.style);
  refuse_together(communicator, problem);

  try {
    result.model = make_model(config);
    result.model->to(device);
    result.model->train();
  } catch (const ConfigError& e) {
    problem = e.what();
  } catch (const std::exception& e) {
    problem = fmt::format("building model.kind={}: {}", config.model.kind, message_of(e));
  }
  if (problem.empty()) problem = probe_problem(*result.model, result, config, device);
  refuse_together(communicator, problem);
  return result;
}

}  // namespace varstyle
