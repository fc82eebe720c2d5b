// FlatParameters: the reverse-order layout, the views.
#include "dist/flat_parameters.h"

#include <c10/util/Exception.h>

namespace varstyle {

FlatParameters::FlatParameters(std::vector<at::Tensor> parameters) : parameters_(std::move(parameters)) {
  TORCH_CHECK(!parameters_.empty(), "FlatParameters needs parameters");
  const auto options = parameters_.front().options();
  offsets_.resize(parameters_.size());
  int64_t total = 0;
  for (size_t i = parameters_.size(); i-- > 0;) {
    const at::Tensor& parameter = parameters_[i];
    TORCH_CHECK(parameter.dtype() == options.dtype() && parameter.device() == options.device(),
                "all trainable parameters must share one dtype and device");
    offsets_[i] = total;
    total += parameter.numel();
  }
  values_ = at::empty({total}, options.requires_grad(false));
  grads_ = at::zeros({total}, options.requires_grad(false));
  for (size_t i = 0; i < parameters_.size(); ++i) {
    at::Tensor slot = view(values_, i);
    slot.copy_(parameters_[i].detach());
    parameters_[i].set_data(slot);
    parameters_[i].mutable_grad() = view(grads_, i);
  }
}

at::Tensor FlatParameters::view(const at::Tensor& flat, size_t parameter) const {
  return flat.narrow(0, offsets_[parameter], parameters_[parameter].numel()).view(parameters_[parameter].sizes());
}

}  // namespace varstyle
