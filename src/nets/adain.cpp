// AdaIN with statistics taken from style features or given as scale and bias.
#include "nets/adain.h"

#include "nets/feature_statistics.h"

namespace varstyle {

at::Tensor adain_with(const at::Tensor& x, const at::Tensor& scale, const at::Tensor& bias, double eps) {
  TORCH_CHECK(x.dim() == 4 && scale.dim() == 2 && bias.dim() == 2 && scale.size(1) == x.size(1),
              "adain: features ", x.sizes(), " with scale ", scale.sizes(), " and bias ", bias.sizes());
  const at::Tensor mean = channel_mean(x).unsqueeze(-1).unsqueeze(-1);
  const at::Tensor std = channel_std(x, eps).unsqueeze(-1).unsqueeze(-1);
  return scale.unsqueeze(-1).unsqueeze(-1) * (x - mean) / std + bias.unsqueeze(-1).unsqueeze(-1);
}

at::Tensor adain(const at::Tensor& content, const at::Tensor& style, double eps) {
  at::Tensor scale = channel_std(style, eps);
  at::Tensor bias = channel_mean(style);
  if (scale.size(0) != content.size(0)) {
    scale = scale.expand({content.size(0), -1});
    bias = bias.expand({content.size(0), -1});
  }
  return adain_with(content, scale, bias, eps);
}

}  // namespace varstyle
