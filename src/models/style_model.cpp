// StyleModel's shared behaviour: loss-term bookkeeping, default code-based interpolation and
// sampling, keyed noise, frozen-network handling.
#include "models/style_model.h"

#include <torch/csrc/autograd/grad_mode.h>

#include <fmt/format.h>

#include "core/error.h"
#include "core/hash.h"

namespace varstyle {


std::vector<uint64_t> noise_keys_for(const StepInput& input, uint64_t stream) {
  std::vector<uint64_t> keys;
  const int64_t batch = input.content.size(0);
  for (int64_t row = 0; row < batch; ++row) {
    const uint64_t base = input.noise_keys.empty()
                              ? mix_keys(static_cast<uint64_t>(input.step), static_cast<uint64_t>(row))
                              : input.noise_keys.at(static_cast<size_t>(row));
    keys.push_back(mix_keys(base, stream));
  }
  return keys;
}

at::Tensor reparameterise(const at::Tensor& mean, const at::Tensor& log_variance, const std::vector<uint64_t>& keys) {
  TORCH_CHECK(static_cast<int64_t>(keys.size()) == mean.size(0), "one noise key per row");
  std::vector<int64_t> shape(mean.sizes().begin() + 1, mean.sizes().end());
  const at::Tensor noise = keyed_normal(keys, shape, mean.options());
  return mean + (0.5 * log_variance).exp() * noise;
}

at::Tensor StyleModel::interpolate(const at::Tensor& content, const std::vector<at::Tensor>& styles,
                                   const std::vector<double>& weights) {
  TORCH_CHECK(!styles.empty() && styles.size() == weights.size(), "interpolate needs one weight per style");
  if (!has_style_code()) unsupported("interpolate");
  at::Tensor code = weights[0] * encode_style(styles[0]);
  for (size_t i = 1; i < styles.size(); ++i) code = code + weights[i] * encode_style(styles[i]);
  return decode_each(content, code);
}

at::Tensor StyleModel::stylize(const at::Tensor& content, const at::Tensor& style, double alpha) {
  if (!has_style_code()) unsupported("stylize");
  return decode_each(content, encode_style(style), alpha);
}

at::Tensor StyleModel::decode_each(const at::Tensor& content, at::Tensor code, double alpha) {
  if (code.size(0) != content.size(0)) code = code.expand({content.size(0), -1});
  return decode(content, code, alpha);
}

at::Tensor StyleModel::encode_style(const at::Tensor&) { unsupported("encode_style"); }

at::Tensor StyleModel::decode(const at::Tensor&, const at::Tensor&, double) { unsupported("decode"); }

at::Tensor StyleModel::sample(const at::Tensor& content, int64_t count, uint64_t seed) {
  if (!has_style_code()) unsupported("sample");
  TORCH_CHECK(content.size(0) == 1, "sample takes one content image");
  const at::Tensor probe = encode_style(content);  // the code size and device
  std::vector<uint64_t> keys;
  for (int64_t i = 0; i < count; ++i) keys.push_back(mix_keys(seed, static_cast<uint64_t>(i), 0x5A3DULL));
  const at::Tensor codes = keyed_normal(keys, {probe.size(1)}, probe.options());
  return decode(content.expand({count, -1, -1, -1}), codes);
}

StyleModel::PreparedContent StyleModel::prepare_content(const at::Tensor& content) { return {content, {}}; }

at::Tensor StyleModel::decode_prepared(const PreparedContent& content, const at::Tensor& code, double alpha) {
  return decode(content.features, code, alpha);
}

at::Tensor StyleModel::prepare_style(const at::Tensor& style) { return encode_style(style); }

at::Tensor StyleModel::mix_prepared(const PreparedContent& content, const std::vector<at::Tensor>& styles,
                                    const std::vector<double>& weights, double alpha) {
  TORCH_CHECK(!styles.empty() && styles.size() == weights.size(), "mix_prepared needs one weight per style");
  if (!has_style_code()) unsupported("mix styles");
  at::Tensor code = weights[0] * styles[0];
  for (size_t i = 1; i < styles.size(); ++i) code = code + weights[i] * styles[i];
  return decode_prepared(content, code, alpha);
}

std::vector<at::Tensor> StyleModel::trainable_parameters() {
  std::vector<at::Tensor> result;
  for (auto& parameter : parameters())
    if (parameter.requires_grad()) result.push_back(parameter);
  return result;
}

void StyleModel::train(bool on) {
  torch::nn::Module::train(on);
  for (auto& network : frozen_) network->eval();
}

std::string StyleModel::describe() const {
  std::string text = kind();
  for (const auto& network : frozen_) text += "; " + network->describe();
  return text;
}

Networks StyleModel::adopt(Networks networks) {
  register_module("vgg", networks.vgg);
  add_frozen(networks.vgg);
  if (networks.loss != networks.vgg) {
    register_module("loss_network", networks.loss);
    add_frozen(networks.loss);
  }
  return networks;
}

void StyleModel::add_frozen(const std::shared_ptr<FeatureNetwork>& network) {
  for (const auto& known : frozen_)
    if (known == network) return;
  frozen_.push_back(network);
}

void StyleModel::unsupported(const std::string& operation) const {
  throw Error(fmt::format("model kind '{}' cannot {} (it has no latent style code)", kind(), operation));
}

}  // namespace varstyle
