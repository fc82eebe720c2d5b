// LinearModel and its transformation module.
#include "models/linear_model.h"

#include <torch/csrc/autograd/grad_mode.h>

#include <fmt/format.h>

#include "nets/feature_statistics.h"

namespace varstyle {

namespace {
std::vector<int64_t> branch_widths(int64_t channels, int64_t dimension) {
  return {channels, std::max<int64_t>(dimension, channels / 2), std::max<int64_t>(dimension, channels / 4), dimension};
}
}  // namespace

int64_t LinearTransform::parameter_count(int64_t channels, int64_t dimension) {
  const auto widths = branch_widths(channels, dimension);
  int64_t count = 0;
  for (size_t i = 0; i + 1 < widths.size(); ++i) count += 2 * (widths[i] * widths[i + 1] * 9 + widths[i + 1]);
  const int64_t square = dimension * dimension;
  count += 2 * (square * square + square);                            // content_fc, style_fc
  count += (channels * dimension + dimension) + (dimension * channels + channels);  // compress, uncompress
  return count;
}

LinearTransform::LinearTransform(int64_t channels, int64_t dimension) : dimension_(dimension) {
  const std::vector<int64_t> widths = branch_widths(channels, dimension);
  for (const char* branch : {"content", "style"}) {
    auto& convs = std::string(branch) == "content" ? content_convs_ : style_convs_;
    for (size_t i = 0; i + 1 < widths.size(); ++i)
      convs.push_back(register_module(fmt::format("{}_conv{}", branch, i + 1),
                                      torch::nn::Conv2d(torch::nn::Conv2dOptions(widths[i], widths[i + 1], 3).padding(1))));
  }
  content_fc_ = register_module("content_fc", torch::nn::Linear(dimension * dimension, dimension * dimension));
  style_fc_ = register_module("style_fc", torch::nn::Linear(dimension * dimension, dimension * dimension));
  compress_ = register_module("compress", torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, dimension, 1)));
  uncompress_ = register_module("uncompress", torch::nn::Conv2d(torch::nn::Conv2dOptions(dimension, channels, 1)));
}

at::Tensor LinearTransform::branch_matrix(bool style, const at::Tensor& centred) {
  auto& convs = style ? style_convs_ : content_convs_;
  at::Tensor x = centred;
  for (size_t i = 0; i < convs.size(); ++i) {
    x = convs[i]->forward(x);
    if (i + 1 < convs.size()) x = at::relu(x);
  }
  const at::Tensor flat = x.flatten(2);  // [B, d, hw]
  const at::Tensor covariance = at::bmm(flat, flat.transpose(1, 2)) / static_cast<double>(flat.size(2));
  auto& fc = style ? style_fc_ : content_fc_;
  return fc->forward(covariance.flatten(1)).view({-1, dimension_, dimension_});
}

at::Tensor LinearTransform::forward(const at::Tensor& content, const at::Tensor& style) {
  const at::Tensor content_mean = channel_mean(content).unsqueeze(-1).unsqueeze(-1);
  const at::Tensor style_mean = channel_mean(style).unsqueeze(-1).unsqueeze(-1);
  const at::Tensor content_centred = content - content_mean;
  const at::Tensor style_centred = style - style_mean;
  const at::Tensor matrix = at::bmm(branch_matrix(true, style_centred), branch_matrix(false, content_centred));
  const at::Tensor compressed = compress_->forward(content_centred);  // [B, d, h, w]
  const at::Tensor transformed = at::bmm(matrix, compressed.flatten(2)).view_as(compressed);
  return uncompress_->forward(transformed) + style_mean;
}

LinearModel::LinearModel(const Config& config)
    : content_target_(config.loss.content_target),
      model_(config.model),
      depth_(config.model.encoder_depth) {
  check_spectrum_setting(config.model);
  networks_ = adopt(build_networks(config, {depth_}));
  transform_ = register_module("transform", std::make_shared<LinearTransform>(networks_.vgg->tap_channels(depth_),
                                                                               config.model.linear_dim));
  decoder_ = register_module("decoder", std::make_shared<Decoder>(config.model.width, config.model.padding, encoder_depth(depth_),
                                                     decoder_noise_options(config.model)));
  if (config.model.code_colour)  // a mean and a spread per channel of the decoder's input
    code_colour_ = register_module("code_colour", std::make_shared<CodeColour>(2 * networks_.vgg->tap_channels(depth_)));
  criterion_ = std::make_unique<PerceptualCriterion>(config.loss, networks_.loss);
}

at::Tensor LinearModel::encode(const at::Tensor& images) {
  torch::NoGradGuard no_grad;
  return networks_.vgg->features(images, {depth_}).at(depth_);
}

at::Tensor LinearModel::coloured(const at::Tensor& image, const at::Tensor& decoder_input) {
  // The statistics of what the decoder is given, not of the style image: with a mix of styles or
  // alpha (mix_prepared) they are read from the blended features, so every path sets it alike.
  if (!code_colour_) return image;
  // Detached: the transform reads the statistics; its colour loss does not reshape the features.
  const at::Tensor input = decoder_input.detach();
  return code_colour_->forward(image, at::cat({channel_mean(input), channel_std(input)}, 1));
}

LossTerms LinearModel::training_step(const StepInput& input) {
  at::Tensor style_encoded;
  const FeatureMap style_features = criterion_->style_features(input.style, *networks_.vgg, depth_, &style_encoded);
  const at::Tensor target = transform_->forward(encode(input.content), style_encoded);
  const at::Tensor output = coloured(decoder_->forward(target, {}, noise_keys_for(input, kDecoderNoiseStream), NoiseInputs::kOn,
                                                       measured_style_spectrum(model_, style_encoded)),
                                     target);
  const FeatureMap output_features = criterion_->output_features(output);
  LossTerms terms;
  if (content_target_ == ContentTarget::kAdain) {
    // The transformed features, as AdaIN's target: at a shallow tap the content image's own
    // features hold its local texture too, and matching them forbids the style's.
    criterion_->add_content_term(terms, output_features, {{depth_, target}});
  } else {
    // Li et al. compare with the content image's own features (at relu4_1 of pretrained VGG).
    criterion_->add_content_term(terms, output_features, criterion_->content_targets(input.content, input.style, style_features));
  }
  criterion_->add_style_terms(terms, output_features, style_features);
  criterion_->add_image_terms(terms, output);
  return terms;
}

at::Tensor LinearModel::stylize(const at::Tensor& content, const at::Tensor& style, double alpha) {
  const at::Tensor features = encode(content), style_features = encode(style);
  const at::Tensor transformed = transform_->forward(features, style_features.expand({features.size(0), -1, -1, -1}));
  const at::Tensor input = alpha * transformed + (1.0 - alpha) * features;
  return coloured(decoder_->forward(input, {}, {}, NoiseInputs::kOn, measured_style_spectrum(model_, style_features)), input);
}

at::Tensor LinearModel::interpolate(const at::Tensor& content, const std::vector<at::Tensor>& styles,
                                    const std::vector<double>& weights) {
  // The explorer's path with every part prepared here: one mixing rule for both.
  std::vector<at::Tensor> prepared;
  for (const auto& style : styles) prepared.push_back(prepare_style(style));
  return mix_prepared(prepare_content(content), prepared, weights);
}

StyleModel::PreparedContent LinearModel::prepare_content(const at::Tensor& content) { return {encode(content), {}}; }

at::Tensor LinearModel::prepare_style(const at::Tensor& style) { return encode(style); }

at::Tensor LinearModel::mix_prepared(const PreparedContent& content, const std::vector<at::Tensor>& styles,
                                     const std::vector<double>& weights, double alpha) {
  TORCH_CHECK(!styles.empty() && styles.size() == weights.size(), "mix_prepared needs one weight per style");
  const at::Tensor& features = content.features;
  at::Tensor mixed;
  for (size_t i = 0; i < styles.size(); ++i) {
    const at::Tensor part = weights[i] * transform_->forward(features, styles[i].expand({features.size(0), -1, -1, -1}));
    mixed = i == 0 ? part : mixed + part;
  }
  const at::Tensor input = alpha * mixed + (1.0 - alpha) * features;
  return coloured(decoder_->forward(input, {}, {}, NoiseInputs::kOn, mixed_style_spectrum(model_, styles, weights)), input);
}

}  // namespace varstyle
