// Trained encoders of the variational models: the variational style encoder E_s (convolutions on
// VGG relu3_1 features -> global mean and std pooling -> mu and log sigma^2 of the style code),
// the MLP from a style code to AdaIN scales and biases, and a shallow trainable content encoder.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include <vector>

#include "nets/decoder.h"

namespace varstyle {

struct GaussianCode {
  at::Tensor mean;          // [B, D]
  at::Tensor log_variance;  // [B, D]
};

// `extra_size` > 0: forward also takes a [B, extra_size] vector of the style's statistics
// (model.style_encoder_moments), read beside the pooled convolutions.
class StyleEncoder : public torch::nn::Module {
 public:
  StyleEncoder(int64_t feature_channels, int64_t latent_dim, int64_t extra_size = 0);
  GaussianCode forward(const at::Tensor& relu3_1_features, const at::Tensor& extra = {});

 private:
  torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr};
  torch::nn::Linear mean_{nullptr}, log_variance_{nullptr};
};

// The variational encoder of a per-image summary vector (a style's spectrum summary, nets/
// spectral_noise.h) -> mu and log sigma^2 of a code of its own, through one hidden layer, and
// back: the code's part for the summary, so that a code sampled from the prior has one too.
class SummaryEncoder : public torch::nn::Module {
 public:
  SummaryEncoder(int64_t summary_size, int64_t latent_dim);
  GaussianCode forward(const at::Tensor& summary);

 private:
  torch::nn::Linear hidden_{nullptr}, mean_{nullptr}, log_variance_{nullptr};
};

class SummaryDecoder : public torch::nn::Module {
 public:
  SummaryDecoder(int64_t latent_dim, int64_t summary_size);
  at::Tensor forward(const at::Tensor& code);

 private:
  torch::nn::Linear hidden_{nullptr}, output_{nullptr};
};

// z [B, D] -> one Modulation per requested channel count (scale = softplus, so always > 0).
class StyleToAdain : public torch::nn::Module {
 public:
  StyleToAdain(int64_t latent_dim, std::vector<int64_t> channels);
  std::vector<Modulation> forward(const at::Tensor& code);

 private:
  std::vector<int64_t> channels_;
  torch::nn::Linear hidden_{nullptr}, output_{nullptr};
};

// 3x3 convolutions (strides 1, 2, 2, ...) from an image to relu<depth>_1's shape, trained.
class ShallowEncoder : public torch::nn::Module {
 public:
  ShallowEncoder(double width, int depth = 4);
  at::Tensor forward(const at::Tensor& image);

 private:
  std::vector<torch::nn::Conv2d> convs_;
};

}  // namespace varstyle
