// CodeColour: a colour transform of a decoder's output that a style code sets (model.code_colour).
// The code's AdaIN modulations act on hidden features, and the palette they give is whatever the
// decoder makes of them: wae's outputs kept the photographs' contrast and came out beige for grey
// styles (docs/quality.md). Here the code sets the palette directly: a 3x3 matrix that turns each
// pixel's colour about the image's mean colour, and a shift of that mean. The last layer starts
// at zero, so a new model starts as the identity, and a code sampled from the prior has a palette
// of its own like any other code. linear, which has no code, feeds it the channel means and
// spreads of its transformed features.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>

namespace varstyle {

class CodeColour : public torch::nn::Module {
 public:
  explicit CodeColour(int64_t code_size);
  // image [B, 3, H, W], code [B, code_size] -> M(code) (image - mean) + mean + shift(code), with
  // the mean over each image's pixels and M = I + a learnt [3, 3] per code. Always fp32.
  at::Tensor forward(const at::Tensor& image, const at::Tensor& code);

 private:
  torch::nn::Linear hidden_{nullptr}, output_{nullptr};
};

}  // namespace varstyle
