// FlatAdam against LibTorch's Adam, which the trainer used before: the same parameters bit for
// bit over many steps (with and without weight decay), a skipped step that leaves everything as
// it was even with NaN gradients, the state's names and a restore that continues exactly, and
// clipping within float rounding of torch::nn::utils::clip_grad_norm_.
#include <gtest/gtest.h>
#include <torch/types.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/adam.h>

#include <map>

#include "dist/flat_parameters.h"
#include "train/flat_adam.h"

namespace varstyle {
namespace {

std::vector<at::Tensor> make_parameters(uint64_t seed) {
  at::manual_seed(seed);
  std::vector<at::Tensor> parameters;
  for (const auto& shape : std::vector<std::vector<int64_t>>{{8, 3, 3, 3}, {8}, {17, 5}, {1}})
    parameters.push_back(at::randn(shape).set_requires_grad(true));
  return parameters;
}

std::vector<at::Tensor> clones(const std::vector<at::Tensor>& parameters) {
  std::vector<at::Tensor> copies;
  for (const auto& p : parameters) copies.push_back(p.detach().clone().set_requires_grad(true));
  return copies;
}

NamedTensors named(const std::vector<at::Tensor>& parameters) {
  NamedTensors result;
  for (size_t i = 0; i < parameters.size(); ++i) result.emplace_back("p" + std::to_string(i), parameters[i]);
  return result;
}

// Gradients of every size, a few exact zeros among them, keyed by the step.
std::vector<at::Tensor> gradients(const std::vector<at::Tensor>& parameters, int step) {
  at::manual_seed(1000 + step);
  std::vector<at::Tensor> result;
  for (const auto& p : parameters) result.push_back(at::randn(p.sizes()) * std::pow(10.0, step % 5 - 2) * (at::rand(p.sizes()) > 0.1));
  return result;
}

class FlatAdamVersusLibTorch : public ::testing::TestWithParam<double> {};

TEST_P(FlatAdamVersusLibTorch, GivesTheSameParametersBitForBit) {
  const double weight_decay = GetParam();
  std::vector<at::Tensor> reference = make_parameters(3);
  std::vector<at::Tensor> mine = clones(reference);
  torch::optim::Adam adam(reference, torch::optim::AdamOptions(0.01).betas({0.9, 0.99}).eps(1e-8).weight_decay(weight_decay));
  FlatParameters flat(mine);
  FlatAdam flat_adam(flat, {0.9, 0.99, 1e-8, weight_decay});
  for (int step = 0; step < 40; ++step) {
    const double lr = 0.01 / (1 + 0.1 * step);  // a schedule: the rate changes every step
    static_cast<torch::optim::AdamOptions&>(adam.param_groups()[0].options()).lr(lr);
    const auto grads = gradients(reference, step);
    for (size_t i = 0; i < reference.size(); ++i) {
      reference[i].mutable_grad() = grads[i].clone();
      flat.view(flat.grads(), i).copy_(grads[i]);
    }
    adam.step();
    flat_adam.step(lr, at::ones({}, at::kBool));
  }
  for (size_t i = 0; i < reference.size(); ++i) {
    EXPECT_TRUE(at::equal(reference[i], mine[i])) << "parameter " << i << " differs by "
                                                  << (reference[i] - mine[i]).abs().max().item<double>();
    EXPECT_EQ(mine[i].data_ptr(), flat.view(flat.values(), i).data_ptr()) << "parameter " << i << " left the buffer";
  }
}

INSTANTIATE_TEST_SUITE_P(WeightDecay, FlatAdamVersusLibTorch, ::testing::Values(0.0, 0.05));

TEST(FlatAdam, ASkippedStepLeavesParametersMomentsAndCountAsTheyWere) {
  std::vector<at::Tensor> parameters = make_parameters(4);
  FlatParameters flat(parameters);
  FlatAdam adam(flat, {});
  flat.view(flat.grads(), 0).fill_(0.5);
  adam.step(0.1, at::ones({}, at::kBool));
  const at::Tensor values = flat.values().clone();
  const auto state = adam.state(named(parameters));
  std::map<std::string, at::Tensor> before;
  for (const auto& [name, tensor] : state) before[name] = tensor.clone();
  flat.grads().fill_(std::numeric_limits<float>::quiet_NaN());
  adam.step(0.1, at::zeros({}, at::kBool));
  EXPECT_TRUE(at::equal(flat.values(), values));
  for (const auto& [name, tensor] : adam.state(named(parameters))) EXPECT_TRUE(at::equal(tensor, before.at(name))) << name;
  // The count did not move: the next real step is the second, as after one step.
  flat.zero_grad();
  FlatAdam again(flat, {});
  again.restore(named(parameters), before, "test");
  again.step(0.1, at::ones({}, at::kBool));
  adam.step(0.1, at::ones({}, at::kBool));
  EXPECT_TRUE(at::equal(adam.state(named(parameters))[0].second, again.state(named(parameters))[0].second));
}

TEST(FlatAdam, StateHasLibTorchsNamesAndARestoreContinuesExactly) {
  std::vector<at::Tensor> a = make_parameters(5);
  std::vector<at::Tensor> b = clones(a);
  FlatParameters flat_a(a), flat_b(b);
  FlatAdam adam_a(flat_a, {}), adam_b(flat_b, {});
  EXPECT_TRUE(adam_a.state(named(a)).empty());  // before the first step, as LibTorch's
  for (int step = 0; step < 6; ++step) {
    const auto grads = gradients(a, step);
    for (size_t i = 0; i < a.size(); ++i) flat_a.view(flat_a.grads(), i).copy_(grads[i]);
    adam_a.step(0.01);
    if (step == 2) {
      std::map<std::string, at::Tensor> stored;
      for (const auto& [name, tensor] : adam_a.state(named(a))) stored[name] = tensor.clone();
      ASSERT_EQ(stored.size(), 3 * a.size());
      EXPECT_EQ(stored.at("p0.step").item<int64_t>(), 3);
      EXPECT_EQ(stored.at("p2.exp_avg").sizes(), a[2].sizes());
      flat_b.values().copy_(flat_a.values());
      adam_b.restore(named(b), stored, "test");
    } else if (step > 2) {
      for (size_t i = 0; i < b.size(); ++i) flat_b.view(flat_b.grads(), i).copy_(grads[i]);
      adam_b.step(0.01);
    }
  }
  EXPECT_TRUE(at::equal(flat_a.values(), flat_b.values()));
  std::map<std::string, at::Tensor> wrong = {{"p0.step", at::tensor({1L})}, {"p0.exp_avg", at::zeros({3})},
                                             {"p0.exp_avg_sq", at::zeros({3})}};
  EXPECT_THROW(adam_b.restore(named(b), wrong, "optim.h5"), Error);
}

TEST(FlatAdam, ClippingMatchesLibTorchWithinRounding) {
  std::vector<at::Tensor> reference = make_parameters(6);
  std::vector<at::Tensor> mine = clones(reference);
  FlatParameters flat(mine);
  FlatAdam adam(flat, {});
  const auto grads = gradients(reference, 4);  // large: clipping applies
  for (size_t i = 0; i < reference.size(); ++i) {
    reference[i].mutable_grad() = grads[i].clone();
    flat.view(flat.grads(), i).copy_(grads[i]);
  }
  torch::nn::utils::clip_grad_norm_(reference, 1.0);
  adam.clip_grad_norm(1.0);
  for (size_t i = 0; i < reference.size(); ++i)
    EXPECT_TRUE(at::allclose(reference[i].grad(), mine[i].grad(), 1e-6, 1e-7)) << i;
  EXPECT_NEAR(flat.grads().norm().item<double>(), 1.0, 1e-5);
}

}  // namespace
}  // namespace varstyle
