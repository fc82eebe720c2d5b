// Image-space quality statistics: resizing, CIELAB, blurred-luminance gradients, the Gabor bank,
// Gaussian fits and the W2 distance between them.
#include "eval/image_quality.h"

#include <ATen/core/grad_mode.h>

#include <algorithm>
#include <cmath>

#include "losses/style_losses.h"

namespace varstyle {

namespace {

constexpr double kPi = 3.14159265358979323846;
const std::vector<double> kWavelengths = {4.0, 8.0, 16.0};
const std::vector<double> kOrientations = {0.0, kPi / 4, kPi / 2, 3 * kPi / 4};

// [1, 3, H, W] in [0, 1]: the centred square, resized to 128x128 (antialiased when shrinking,
// so that a large output is averaged, not aliased).
at::Tensor square_128(const at::Tensor& image) {
  at::Tensor x = image.dim() == 3 ? image.unsqueeze(0) : image;
  TORCH_CHECK(x.dim() == 4 && x.size(0) == 1 && x.size(1) == 3, "quality metrics take one RGB image, got ", x.sizes());
  x = x.detach().to(at::kDouble).clamp(0.0, 1.0);
  const int64_t side = std::min(x.size(2), x.size(3));
  x = x.narrow(2, (x.size(2) - side) / 2, side).narrow(3, (x.size(3) - side) / 2, side);
  if (side == kQualitySize) return x.contiguous();
  if (side > kQualitySize)
    return at::_upsample_bilinear2d_aa(x, {kQualitySize, kQualitySize}, /*align_corners=*/false, c10::nullopt, c10::nullopt);
  return at::upsample_bilinear2d(x, {kQualitySize, kQualitySize}, /*align_corners=*/false, c10::nullopt, c10::nullopt);
}

at::Tensor luminance(const at::Tensor& rgb) {  // [1, 3, H, W] -> [1, 1, H, W], Rec. 601 weights
  const at::Tensor w = at::tensor({0.299, 0.587, 0.114}, rgb.options()).view({1, 3, 1, 1});
  return (rgb * w).sum(1, /*keepdim=*/true);
}

at::Tensor gaussian_blur(const at::Tensor& y, double sigma) {
  const int64_t radius = static_cast<int64_t>(std::ceil(3 * sigma));
  at::Tensor k = at::arange(-radius, radius + 1, y.options());
  k = at::exp(-(k * k) / (2 * sigma * sigma));
  k = k / k.sum();
  const at::Tensor padded = at::replication_pad2d(y, {radius, radius, radius, radius});
  const at::Tensor rows = at::conv2d(padded, k.view({1, 1, 1, -1}));
  return at::conv2d(rows, k.view({1, 1, -1, 1}));
}

at::Tensor gradient_magnitude(const at::Tensor& y) {  // central differences, replicate borders
  const at::Tensor p = at::replication_pad2d(y, {1, 1, 1, 1});
  const int64_t h = y.size(2), w = y.size(3);
  const at::Tensor gx = (p.narrow(3, 2, w).narrow(2, 1, h) - p.narrow(3, 0, w).narrow(2, 1, h)) / 2;
  const at::Tensor gy = (p.narrow(2, 2, h).narrow(3, 1, w) - p.narrow(2, 0, h).narrow(3, 1, w)) / 2;
  return (gx * gx + gy * gy).sqrt();
}

GaussianFit fit(const at::Tensor& samples) {  // [D, N]
  const at::Tensor mean = samples.mean(1);
  const at::Tensor centred = samples - mean.unsqueeze(1);
  return {mean, at::matmul(centred, centred.t()) / static_cast<double>(samples.size(1))};
}

// The bank's responses to luminance y [1, 1, 128, 128]: log(1 + 20 |g * y|) as [12, 128 * 128].
at::Tensor gabor_features(const at::Tensor& y) {
  std::vector<at::Tensor> responses;
  for (double wavelength : kWavelengths) {
    std::vector<at::Tensor> kernels;
    for (double orientation : kOrientations) {
      auto [re, im] = gabor_kernel(wavelength, orientation);
      kernels.push_back(re);
      kernels.push_back(im);
    }
    const at::Tensor weight = at::stack(kernels).unsqueeze(1);  // [8, 1, K, K]
    const int64_t radius = weight.size(-1) / 2;
    const at::Tensor padded = at::reflection_pad2d(y, {radius, radius, radius, radius});
    const at::Tensor out = at::conv2d(padded, weight)[0];  // [8, H, W]
    for (int64_t o = 0; o < static_cast<int64_t>(kOrientations.size()); ++o) {
      const at::Tensor modulus = (out[2 * o].pow(2) + out[2 * o + 1].pow(2)).sqrt();
      responses.push_back(at::log1p(20.0 * modulus).flatten());
    }
  }
  return at::stack(responses);
}

double pearson(const at::Tensor& a, const at::Tensor& b) {
  const at::Tensor x = a - a.mean(), y = b - b.mean();
  const double denominator = std::sqrt((x * x).sum().item<double>() * (y * y).sum().item<double>());
  // A flat image has no gradients to correlate with: it kept none of the layout.
  if (denominator < 1e-12) return 0.0;
  return (x * y).sum().item<double>() / denominator;
}

double ratio(double numerator, double denominator) {
  if (denominator > 1e-9) return numerator / denominator;
  return numerator > 1e-9 ? 1.0 : 0.0;
}

}  // namespace

at::Tensor rgb_to_lab(const at::Tensor& rgb) {
  const at::Tensor c = rgb.to(at::kDouble);
  const at::Tensor linear = at::where(c <= 0.04045, c / 12.92, at::pow((c + 0.055) / 1.055, 2.4));
  const at::Tensor r = linear.select(-3, 0), g = linear.select(-3, 1), b = linear.select(-3, 2);
  // sRGB (D65) -> XYZ, each divided by the reference white.
  const at::Tensor x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047;
  const at::Tensor y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b;
  const at::Tensor z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883;
  constexpr double delta = 6.0 / 29.0;
  auto f = [&](const at::Tensor& t) {
    return at::where(t > delta * delta * delta, at::pow(t.clamp_min(0.0), 1.0 / 3.0), t / (3 * delta * delta) + 4.0 / 29.0);
  };
  const at::Tensor fx = f(x), fy = f(y), fz = f(z);
  return at::stack({116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)}, -3);
}

std::pair<at::Tensor, at::Tensor> gabor_kernel(double wavelength, double orientation) {
  const double sigma = 0.56 * wavelength;
  const int64_t radius = static_cast<int64_t>(std::ceil(3 * sigma));
  const at::Tensor t = at::arange(-radius, radius + 1, at::kDouble);
  const at::Tensor yy = t.view({-1, 1}).expand({t.size(0), t.size(0)});
  const at::Tensor xx = t.view({1, -1}).expand({t.size(0), t.size(0)});
  const at::Tensor envelope = at::exp(-(xx * xx + yy * yy) / (2 * sigma * sigma));
  const at::Tensor phase = (2 * kPi / wavelength) * (xx * std::cos(orientation) + yy * std::sin(orientation));
  // Zero mean: the cosine part would answer to flat brightness; remove its DC along the envelope.
  at::Tensor re = envelope * at::cos(phase);
  re = re - envelope * (re.sum() / envelope.sum());
  at::Tensor im = envelope * at::sin(phase);
  im = im - im.mean();  // zero by symmetry up to rounding
  const at::Tensor l1 = (re * re + im * im).sqrt().sum();
  return {re / l1, im / l1};
}

ImageStatistics image_statistics(const at::Tensor& image) {
  at::NoGradGuard no_grad;
  const at::Tensor rgb = square_128(image.cpu());
  const at::Tensor y = luminance(rgb);
  ImageStatistics stats;
  stats.gradient = gradient_magnitude(gaussian_blur(y, 1.5)).flatten();
  stats.colour = fit(rgb_to_lab(rgb)[0].flatten(1));
  stats.texture = fit(gabor_features(y));
  return stats;
}

double gaussian_w2(const GaussianFit& a, const GaussianFit& b) {
  at::NoGradGuard no_grad;
  // The style losses' W2^2 (one batch of one), whose square roots clamp rounding noise to 0.
  const double squared = gaussian_w2(a.mean.unsqueeze(0), a.covariance.unsqueeze(0), b.mean.unsqueeze(0),
                                     b.covariance.unsqueeze(0), /*eps=*/1e-30)
                             .item<double>();
  return std::sqrt(std::max(0.0, squared));
}

double structure_score(const ImageStatistics& output, const ImageStatistics& content) {
  return pearson(output.gradient, content.gradient);
}

double colour_ratio(const ImageStatistics& output, const ImageStatistics& content, const ImageStatistics& style) {
  return ratio(gaussian_w2(output.colour, style.colour), gaussian_w2(content.colour, style.colour));
}

double texture_ratio(const ImageStatistics& output, const ImageStatistics& content, const ImageStatistics& style) {
  return ratio(gaussian_w2(output.texture, style.texture), gaussian_w2(content.texture, style.texture));
}

StyleSpread style_spread(const std::vector<ImageStatistics>& styles) {
  StyleSpread spread;
  int64_t pairs = 0;
  for (size_t i = 0; i < styles.size(); ++i)
    for (size_t j = i + 1; j < styles.size(); ++j) {
      spread.colour += gaussian_w2(styles[i].colour, styles[j].colour);
      spread.texture += gaussian_w2(styles[i].texture, styles[j].texture);
      ++pairs;
    }
  if (pairs > 0) {
    spread.colour /= static_cast<double>(pairs);
    spread.texture /= static_cast<double>(pairs);
  }
  return spread;
}

double style_distance(const ImageStatistics& a, const ImageStatistics& b, const StyleSpread& spread) {
  return 0.5 * (ratio(gaussian_w2(a.colour, b.colour), spread.colour) +
                ratio(gaussian_w2(a.texture, b.texture), spread.texture));
}

double mean_pairwise_distance(const std::vector<ImageStatistics>& images, const StyleSpread& spread) {
  double total = 0;
  int64_t pairs = 0;
  for (size_t i = 0; i < images.size(); ++i)
    for (size_t j = i + 1; j < images.size(); ++j, ++pairs) total += style_distance(images[i], images[j], spread);
  return pairs > 0 ? total / static_cast<double>(pairs) : 0.0;
}

std::vector<double> to_signature(const ImageStatistics& stats) {
  std::vector<double> out;
  for (const at::Tensor& t : {stats.colour.mean, stats.colour.covariance, stats.texture.mean, stats.texture.covariance}) {
    const at::Tensor flat = t.to(at::kDouble).contiguous().flatten();
    out.insert(out.end(), flat.data_ptr<double>(), flat.data_ptr<double>() + flat.numel());
  }
  return out;
}

ImageStatistics from_signature(const std::vector<double>& signature) {
  const int64_t c = 3, t = static_cast<int64_t>(kWavelengths.size() * kOrientations.size());
  TORCH_CHECK(static_cast<int64_t>(signature.size()) == c + c * c + t + t * t, "a quality signature has ",
              c + c * c + t + t * t, " values, got ", signature.size());
  const at::Tensor all = at::tensor(signature, at::kDouble);
  ImageStatistics stats;
  stats.colour = {all.narrow(0, 0, c), all.narrow(0, c, c * c).view({c, c})};
  stats.texture = {all.narrow(0, c + c * c, t), all.narrow(0, c + c * c + t, t * t).view({t, t})};
  return stats;
}

int64_t active_dimensions(const at::Tensor& means, double threshold) {
  TORCH_CHECK(means.dim() == 2, "active_dimensions takes [N, D] codes, got ", means.sizes());
  if (means.size(0) < 2) return 0;
  const at::Tensor variance = means.detach().to(at::kDouble).var(0, /*unbiased=*/false);
  return (variance > threshold).sum().item<int64_t>();
}

}  // namespace varstyle
