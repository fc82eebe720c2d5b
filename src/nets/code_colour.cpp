// CodeColour: one hidden layer from the code to a colour matrix and a shift.
#include "nets/code_colour.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/grad_mode.h>

#include "nets/autocast_scope.h"

namespace varstyle {

namespace {
constexpr int64_t kHidden = 64;
constexpr int64_t kMatrix = 9, kShift = 3;
}  // namespace

CodeColour::CodeColour(int64_t code_size) {
  hidden_ = register_module("hidden", torch::nn::Linear(code_size, kHidden));
  output_ = register_module("output", torch::nn::Linear(kHidden, kMatrix + kShift));
  // Zero output: the identity transform until training moves it.
  torch::NoGradGuard no_grad;
  output_->weight.zero_();
  output_->bias.zero_();
}

at::Tensor CodeColour::forward(const at::Tensor& image, const at::Tensor& code) {
  // In fp32 with autocast off, under train.bf16 or --bf16 too: the output's colours are what the
  // colour terms and the written image measure, and bf16 keeps 8 bits of them (the networks
  // before and after still run in bf16).
  NoAutocast full_precision;
  const at::Tensor raw = output_->forward(at::relu(hidden_->forward(code.to(at::kFloat))));
  const at::Tensor pixels = image.to(at::kFloat);
  const int64_t batch = code.size(0);
  const at::Tensor matrix = raw.narrow(1, 0, kMatrix).view({batch, 3, 3}) +
                            at::eye(3, raw.options()).unsqueeze(0);
  const at::Tensor shift = raw.narrow(1, kMatrix, kShift).view({batch, 3, 1, 1});
  const at::Tensor mean = pixels.mean({2, 3}, /*keepdim=*/true);
  const at::Tensor turned = at::einsum("bij,bjhw->bihw", {matrix, pixels - mean});
  return turned + mean + shift;
}

}  // namespace varstyle
