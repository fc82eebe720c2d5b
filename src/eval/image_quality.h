// Image-space quality measures that no trained or random network defines, so a model cannot fit
// them by matching a network's statistics (stripes whose random-VGG Gram matrices match a style
// do not pass them). Every image is centre-cropped and resized to 128x128 first.
//   structure: Pearson correlation of the gradient magnitudes of the blurred (sigma 1.5 px)
//              luminance of the output and of the content (1: the layout survives).
//   colour:    W2(output, style) / W2(content, style) between Gaussian fits of CIELAB pixels
//              (1: the content's colours, 0: the style's).
//   texture:   the same ratio for Gaussian fits of log(1 + 20 |g * Y|) over a fixed complex
//              Gabor bank (wavelengths 4, 8, 16 px, sigma 0.56 wavelength, 4 orientations).
// Over sets of outputs: style sensitivity and sample diversity, the mean pairwise distance of
// outputs relative to the styles' own spread (0: the style is ignored / all samples alike).
#pragma once

#include <ATen/ATen.h>

#include <vector>

namespace varstyle {

// A Gaussian fit: mean [D] and covariance [D, D], in double.
struct GaussianFit {
  at::Tensor mean;
  at::Tensor covariance;
};

// What the measures need of one image, computed once per image.
struct ImageStatistics {
  at::Tensor gradient;  // [128 * 128] gradient magnitude of the blurred luminance
  GaussianFit colour;   // CIELAB, D = 3
  GaussianFit texture;  // Gabor responses, D = 12
};

constexpr int64_t kQualitySize = 128;

// image: [1, 3, H, W] or [3, H, W] in [0, 1] (values outside are clamped, as when saved).
ImageStatistics image_statistics(const at::Tensor& image);

// sRGB in [0, 1] ([..., 3, H, W]) -> CIELAB (D65 white), same shape.
at::Tensor rgb_to_lab(const at::Tensor& rgb);
// One complex Gabor filter of the texture bank: its real and imaginary kernels, each [K, K] in
// double, K = 2 ceil(3 sigma) + 1, zero mean and unit L1 norm of the complex modulus.
std::pair<at::Tensor, at::Tensor> gabor_kernel(double wavelength, double orientation);

// 2-Wasserstein distance between two Gaussians (not squared).
double gaussian_w2(const GaussianFit& a, const GaussianFit& b);

double structure_score(const ImageStatistics& output, const ImageStatistics& content);
// Ratios; a content that already equals the style (zero denominator) gives 0 when the output
// equals it too, and 1 otherwise.
double colour_ratio(const ImageStatistics& output, const ImageStatistics& content, const ImageStatistics& style);
double texture_ratio(const ImageStatistics& output, const ImageStatistics& content, const ImageStatistics& style);

// The styles' own mean pairwise colour and texture W2: the unit of the distances below.
struct StyleSpread {
  double colour = 0;
  double texture = 0;
};
StyleSpread style_spread(const std::vector<ImageStatistics>& styles);

// The mean of colour W2 / spread.colour and texture W2 / spread.texture.
double style_distance(const ImageStatistics& a, const ImageStatistics& b, const StyleSpread& spread);
// The mean of style_distance over all pairs of `images` (0 for fewer than two).
double mean_pairwise_distance(const std::vector<ImageStatistics>& images, const StyleSpread& spread);

// The colour and texture Gaussians as a flat list of doubles, and back (without the gradient
// map): what ranks exchange so that rank 0 can measure sets of outputs it did not make.
std::vector<double> to_signature(const ImageStatistics& stats);
ImageStatistics from_signature(const std::vector<double>& signature);

// Dimensions whose posterior mean varies over a set of inputs with variance > `threshold`
// (Burda et al.'s active units). means: [N, D].
int64_t active_dimensions(const at::Tensor& means, double threshold = 0.01);

}  // namespace varstyle
