// Spectrum summaries and noise drawn to them: one table of bin weights per grid size links both.
#include "nets/spectral_noise.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include "nets/keyed_normal.h"

namespace varstyle {

namespace {


// [height * (width / 2 + 1), kSpectrumBins]: how much each frequency of a real FFT over a
// height x width grid belongs to each bin, bilinearly in (log2 period in image pixels, angle);
// the zero frequency belongs to none. Angles wrap at 180 degrees: a real map's spectrum is
// symmetric, so the half plane holds every orientation once.
at::Tensor bin_weights(int64_t height, int64_t width, double scale, at::ScalarType dtype) {
  const int64_t columns = width / 2 + 1;
  at::Tensor weights = at::zeros({height * columns, kSpectrumBins}, at::kDouble);
  auto table = weights.accessor<double, 2>();
  for (int64_t ky = 0; ky < height; ++ky) {
    const double fy = static_cast<double>(ky < (height + 1) / 2 ? ky : ky - height) / static_cast<double>(height);
    for (int64_t kx = 0; kx < columns; ++kx) {
      if (ky == 0 && kx == 0) continue;
      const double fx = static_cast<double>(kx) / static_cast<double>(width);
      const double period = scale / std::hypot(fy, fx);  // image pixels
      const double u = std::clamp(std::log2(period) - 1.0, 0.0, static_cast<double>(kSpectrumPeriods - 1));
      double angle = std::atan2(fy, fx);
      if (angle < 0) angle += M_PI;
      const double v = angle / (M_PI / kSpectrumAngles);
      const int64_t p0 = std::min<int64_t>(static_cast<int64_t>(u), kSpectrumPeriods - 1);
      const int64_t p1 = std::min<int64_t>(p0 + 1, kSpectrumPeriods - 1);
      const int64_t a0 = static_cast<int64_t>(std::floor(v)) % kSpectrumAngles;
      const int64_t a1 = (a0 + 1) % kSpectrumAngles;
      const double fu = u - static_cast<double>(p0), fv = v - std::floor(v);
      const int64_t row = ky * columns + kx;
      table[row][p0 * kSpectrumAngles + a0] += (1 - fu) * (1 - fv);
      table[row][p0 * kSpectrumAngles + a1] += (1 - fu) * fv;
      table[row][p1 * kSpectrumAngles + a0] += fu * (1 - fv);
      table[row][p1 * kSpectrumAngles + a1] += fu * fv;
    }
  }
  return weights.to(dtype);
}

// bin_weights on `device`, built once per grid, scale and type: every training step asks for
// the same few (a CPU loop over up to 256 x 129 frequencies, then a copy to the GPU). Never
// destroyed: GPU tensors freed by static destructors at exit would outlive the CUDA context.
at::Tensor cached_bin_weights(int64_t height, int64_t width, double scale, at::ScalarType dtype, const at::Device& device) {
  using Key = std::tuple<int64_t, int64_t, double, at::ScalarType, std::string>;
  static std::mutex mutex;
  static auto* cache = new std::map<Key, at::Tensor>();
  const Key key{height, width, scale, dtype, device.str()};
  std::lock_guard<std::mutex> lock(mutex);
  auto found = cache->find(key);
  if (found == cache->end()) found = cache->emplace(key, bin_weights(height, width, scale, dtype).to(device)).first;
  return found->second;
}

at::ScalarType working_type(const at::Tensor& x) { return x.scalar_type() == at::kDouble ? at::kDouble : at::kFloat; }

}  // namespace

at::Tensor spectrum_summary(const at::Tensor& x, double scale) {
  TORCH_CHECK(x.dim() == 4 && x.size(2) >= 2 && x.size(3) >= 2, "spectrum_summary expects [B, C, H, W], got ", x.sizes());
  const auto dtype = working_type(x);
  const int64_t height = x.size(2), width = x.size(3);
  const at::Tensor input = x.to(dtype);
  const at::TensorOptions options = input.options();
  // The window keeps the image's edges from adding a cross of horizontal and vertical power.
  const at::Tensor window = at::outer(at::hann_window(height, /*periodic=*/false, options),
                                      at::hann_window(width, /*periodic=*/false, options));
  const at::Tensor centred = input - input.mean({2, 3}, /*keepdim=*/true);
  const at::Tensor power = at::fft_rfft2(centred * window).abs().pow(2).sum(1).flatten(1);  // [B, F]
  const at::Tensor weights = cached_bin_weights(height, width, scale, dtype, input.device());
  const at::Tensor binned = at::matmul(power, weights) / weights.sum(0).clamp_min(1e-12);
  const at::Tensor mean = (power.sum(1, /*keepdim=*/true) - power.narrow(1, 0, 1)) / static_cast<double>(power.size(1) - 1);
  return at::log(binned / mean.clamp_min(1e-20) + 1e-2);
}

at::Tensor spectral_noise(const std::vector<uint64_t>& keys, int64_t height, int64_t width, double scale,
                          const at::Tensor& summaries) {
  TORCH_CHECK(summaries.dim() == 2 && summaries.size(1) == kSpectrumBins &&
                  summaries.size(0) == static_cast<int64_t>(keys.size()),
              "spectral_noise needs one summary of ", kSpectrumBins, " bins per key: ", keys.size(), " keys, summaries ",
              summaries.sizes());
  TORCH_CHECK(height >= 2 && width >= 2, "spectral_noise needs a map of at least 2 x 2, not ", height, " x ", width);
  const auto dtype = working_type(summaries);
  const at::Tensor log_power = summaries.to(dtype);
  const at::Tensor white = keyed_normal(keys, {1, height, width}, log_power.options());
  const at::Tensor weights = cached_bin_weights(height, width, scale, dtype, log_power.device());
  // Amplitude = sqrt(power); the zero frequency gets none, so the map has no mean.
  at::Tensor amplitude = at::exp(0.5 * at::matmul(log_power, weights.t()));
  amplitude = amplitude * (weights.sum(1) > 0).to(dtype);
  const at::Tensor spectrum = at::fft_rfft2(white) * amplitude.view({-1, 1, height, width / 2 + 1});
  const at::Tensor map = at::fft_irfft2(spectrum, at::IntArrayRef{height, width});
  return map / map.std({2, 3}, /*unbiased=*/false, /*keepdim=*/true).clamp_min(1e-12);
}

}  // namespace varstyle
