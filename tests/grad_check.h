// Gradient checking by central finite differences in double precision: autograd's gradient of a
// scalar function must match (f(x + h e_i) - f(x - h e_i)) / 2h on every (or a sample of) entry.
#pragma once

#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/csrc/autograd/autograd.h>

#include <functional>

namespace varstyle::testing {

inline void expect_gradient_matches(const std::function<at::Tensor(const at::Tensor&)>& f,
                                    const at::Tensor& point, double step = 1e-6,
                                    double tolerance = 1e-6, int64_t max_entries = 64) {
  ASSERT_EQ(point.scalar_type(), at::kDouble) << "gradient checks run in double precision";
  at::Tensor x = point.detach().clone().set_requires_grad(true);
  at::Tensor value = f(x);
  ASSERT_EQ(value.numel(), 1);
  at::Tensor analytic = torch::autograd::grad({value}, {x})[0].contiguous();
  ASSERT_TRUE(analytic.isfinite().all().item<bool>()) << "non-finite analytic gradient";
  at::Tensor flat = x.detach().clone().contiguous();
  double* data = flat.data_ptr<double>();
  const int64_t n = flat.numel();
  const int64_t stride = std::max<int64_t>(1, n / max_entries);
  for (int64_t i = 0; i < n; i += stride) {
    const double saved = data[i];
    data[i] = saved + step;
    const double up = f(flat).item<double>();
    data[i] = saved - step;
    const double down = f(flat).item<double>();
    data[i] = saved;
    const double numeric = (up - down) / (2 * step);
    const double exact = analytic.data_ptr<double>()[i];
    EXPECT_NEAR(exact, numeric, tolerance * std::max(1.0, std::abs(numeric))) << "entry " << i;
  }
}

}  // namespace varstyle::testing
