// Variational style encoder, style-code-to-AdaIN MLP, shallow content encoder.
#include "nets/encoders.h"

#include <numeric>

#include <fmt/format.h>

#include "nets/feature_statistics.h"
#include "nets/vgg19.h"

namespace varstyle {

StyleEncoder::StyleEncoder(int64_t feature_channels, int64_t latent_dim, int64_t extra_size) {
  const int64_t c = feature_channels;
  conv1_ = register_module("conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(c, c, 3).stride(2).padding(1)));
  conv2_ = register_module("conv2", torch::nn::Conv2d(torch::nn::Conv2dOptions(c, c, 3).stride(2).padding(1)));
  mean_ = register_module("mean", torch::nn::Linear(2 * c + extra_size, latent_dim));
  log_variance_ = register_module("log_variance", torch::nn::Linear(2 * c + extra_size, latent_dim));
}

GaussianCode StyleEncoder::forward(const at::Tensor& features, const at::Tensor& extra) {
  const at::Tensor x = at::relu(conv2_->forward(at::relu(conv1_->forward(features))));
  // Mean and spread over positions: a style summary that ignores where things are.
  at::Tensor pooled = at::cat({channel_mean(x), channel_std(x)}, 1);
  if (extra.defined()) pooled = at::cat({pooled, extra.to(pooled.scalar_type())}, 1);
  return {mean_->forward(pooled), log_variance_->forward(pooled)};
}

namespace {
constexpr int64_t kSummaryHidden = 64;
}  // namespace

SummaryEncoder::SummaryEncoder(int64_t summary_size, int64_t latent_dim) {
  hidden_ = register_module("hidden", torch::nn::Linear(summary_size, kSummaryHidden));
  mean_ = register_module("mean", torch::nn::Linear(kSummaryHidden, latent_dim));
  log_variance_ = register_module("log_variance", torch::nn::Linear(kSummaryHidden, latent_dim));
}

GaussianCode SummaryEncoder::forward(const at::Tensor& summary) {
  const at::Tensor hidden = at::relu(hidden_->forward(summary));
  return {mean_->forward(hidden), log_variance_->forward(hidden)};
}

SummaryDecoder::SummaryDecoder(int64_t latent_dim, int64_t summary_size) {
  hidden_ = register_module("hidden", torch::nn::Linear(latent_dim, kSummaryHidden));
  output_ = register_module("output", torch::nn::Linear(kSummaryHidden, summary_size));
}

at::Tensor SummaryDecoder::forward(const at::Tensor& code) { return output_->forward(at::relu(hidden_->forward(code))); }

StyleToAdain::StyleToAdain(int64_t latent_dim, std::vector<int64_t> channels) : channels_(std::move(channels)) {
  const int64_t total = std::accumulate(channels_.begin(), channels_.end(), int64_t{0});
  const int64_t hidden = std::max<int64_t>(64, channels_.front());
  hidden_ = register_module("hidden", torch::nn::Linear(latent_dim, hidden));
  output_ = register_module("output", torch::nn::Linear(hidden, 2 * total));
}

std::vector<Modulation> StyleToAdain::forward(const at::Tensor& code) {
  const at::Tensor raw = output_->forward(at::relu(hidden_->forward(code)));
  std::vector<Modulation> result;
  int64_t offset = 0;
  for (int64_t c : channels_) {
    result.push_back({at::softplus(raw.narrow(1, offset, c)) + 1e-4, raw.narrow(1, offset + c, c)});
    offset += 2 * c;
  }
  return result;
}

ShallowEncoder::ShallowEncoder(double width, int depth) {
  const auto layers = Vgg19::full_layers(width);
  std::vector<int64_t> channels = {3, layers[0].out_channels, layers[2].out_channels,
                                   layers[4].out_channels, layers[8].out_channels};
  channels.resize(static_cast<size_t>(depth) + 1);
  for (size_t i = 0; i + 1 < channels.size(); ++i)
    convs_.push_back(register_module(
        fmt::format("conv{}", i + 1),
        torch::nn::Conv2d(torch::nn::Conv2dOptions(channels[i], channels[i + 1], 3).stride(i == 0 ? 1 : 2).padding(1))));
}

at::Tensor ShallowEncoder::forward(const at::Tensor& image) {
  at::Tensor x = image;
  for (auto& conv : convs_) x = at::relu(conv->forward(x));
  return x;
}

}  // namespace varstyle
