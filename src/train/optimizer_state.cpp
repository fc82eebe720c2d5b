// Adam state <-> named tensors.
#include "train/optimizer_state.h"

#include <fmt/format.h>

#include <sstream>
#include <string>
#include <type_traits>

#include "core/error.h"

namespace varstyle {

namespace {
// The key under which LibTorch's Adam keeps a parameter's state. LibTorch 1.x keys the map by the
// printed TensorImpl address (c10::guts::to_string, an ostringstream), LibTorch 2.x by the address
// itself; the map's own key type picks the form, so one source builds against both.
template <typename StateMap>
typename StateMap::key_type key_of(const StateMap&, const at::Tensor& parameter) {
  using Key = typename StateMap::key_type;
  if constexpr (std::is_same_v<Key, std::string>) {
    std::ostringstream text;
    text << parameter.unsafeGetTensorImpl();
    return text.str();
  } else {
    return static_cast<Key>(parameter.unsafeGetTensorImpl());
  }
}
}  // namespace

NamedTensors adam_state_tensors(torch::optim::Adam& optimizer, const NamedTensors& parameters) {
  NamedTensors result;
  auto& states = optimizer.state();
  for (const auto& [name, parameter] : parameters) {
    auto it = states.find(key_of(states, parameter));
    if (it == states.end()) continue;  // no step taken yet
    auto& state = static_cast<torch::optim::AdamParamState&>(*it->second);
    result.emplace_back(name + ".step", at::tensor({state.step()}, at::kLong));
    result.emplace_back(name + ".exp_avg", state.exp_avg());
    result.emplace_back(name + ".exp_avg_sq", state.exp_avg_sq());
  }
  return result;
}

void restore_adam_state(torch::optim::Adam& optimizer, const NamedTensors& parameters,
                        const std::map<std::string, at::Tensor>& stored, const std::string& file_name) {
  auto& states = optimizer.state();
  for (const auto& [name, parameter] : parameters) {
    auto step = stored.find(name + ".step");
    if (step == stored.end()) continue;  // saved before this parameter's first step
    auto average = stored.find(name + ".exp_avg");
    auto square = stored.find(name + ".exp_avg_sq");
    if (average == stored.end() || square == stored.end() || average->second.sizes() != parameter.sizes() ||
        square->second.sizes() != parameter.sizes())
      throw Error(fmt::format("{}: optimiser state of '{}' is missing or has the wrong shape", file_name, name));
    auto state = std::make_unique<torch::optim::AdamParamState>();
    state->step(step->second.item<int64_t>());
    state->exp_avg(average->second.to(parameter.options()).clone());
    state->exp_avg_sq(square->second.to(parameter.options()).clone());
    states[key_of(states, parameter)] = std::move(state);
  }
}

}  // namespace varstyle
