// Internals shared by the synthetic content scenes and style textures (not for other code): keyed
// random draws, RGB colours, and anti-aliased sub-pixel shapes, gradients and noise fields.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <random>
#include <vector>

#include <opencv2/core.hpp>

namespace varstyle::synthetic {

inline constexpr int kShift = 4;  // sub-pixel bits: 32-pixel images need fractional coordinates
inline constexpr double kSub = 1 << kShift;
inline constexpr double kPi = 3.14159265358979323846;

// Draws are written out here because std::uniform_*_distribution is implementation-defined and
// would make the images differ between standard libraries.
class Draw {
 public:
  explicit Draw(uint64_t key) : gen_(key) {}
  double uniform() { return static_cast<double>(gen_() >> 11) * 0x1.0p-53; }  // [0, 1)
  double range(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // [0, count); the clamp covers uniform() * count rounding up to count.
  int below(int count) { return std::min(count - 1, static_cast<int>(uniform() * count)); }
  bool chance(double probability) { return uniform() < probability; }

 private:
  std::mt19937_64 gen_;
};

using Color = cv::Scalar;  // channels 0..2 are R, G, B throughout
using Palette = std::array<Color, 5>;

inline Color rgb(const uint8_t (&c)[3]) { return Color(c[0], c[1], c[2]); }
inline Color mix(const Color& a, const Color& b, double t) { return a * (1.0 - t) + b * t; }
// Braced lists evaluate in order; the order of function arguments is unspecified, so a call
// never takes two draws as arguments here.
Color jitter(Draw& draw, const Color& c, double amount);
inline cv::Vec3b pixel(const Color& c) {
  return {cv::saturate_cast<uint8_t>(c[0]), cv::saturate_cast<uint8_t>(c[1]),
          cv::saturate_cast<uint8_t>(c[2])};
}
// A colour drawn in HSV, hue in [h0, h1) (wrapping at 1), saturation and value in their ranges.
Color random_hsv(Draw& draw, double h0, double h1, double s0, double s1, double v0, double v1);

// Drawing in sub-pixel units with anti-aliasing.
inline cv::Point pt(double x, double y) { return {cvRound(x * kSub), cvRound(y * kSub)}; }
inline int sub(double r) { return std::max(1, cvRound(r * kSub)); }
// A convex polygon around the segment, `taper` of the half-length pointed at each end (0: square
// ends). Thick anti-aliased cv::line adds a round cap at each end and costs about four times
// as much; hairlines (w < 1.5) still use it.
void line(cv::Mat& image, double x0, double y0, double x1, double y1, const Color& c, double w,
          double taper = 0);
void disc(cv::Mat& image, double x, double y, double r, const Color& c);
void oval(cv::Mat& image, double x, double y, double rx, double ry, const Color& c);
void fill(cv::Mat& image, const std::vector<cv::Point>& points, const Color& c);
void box(cv::Mat& image, double x0, double y0, double x1, double y1, const Color& c);
// OpenCV draws opaque shapes, so translucency is drawn on a copy and blended back.
void blend(cv::Mat& image, const cv::Mat& layer, double alpha);
// Pattern pitch in pixels: a fraction of the side, but never below `floor_px`, so that 32-pixel
// textures keep a visible pattern instead of averaging to one flat colour.
double pitch(double side, double fraction, double floor_px);

// Rows y0..y1 (clipped to the image) from `top` to `bottom`.
void vertical_gradient(cv::Mat& image, int y0, int y1, const Color& top, const Color& bottom);
// The whole square from `a` to `b` along the direction `angle` (radians).
void linear_gradient(cv::Mat& image, const Color& a, const Color& b, double angle);

// Smooth random field in [0, 1]: value noise built coarse to fine, each octave a grid of draws
// added after doubling the sum so far, then one resize to the side. Resizing the sum rather than
// each octave to full size makes the cost about that of a single full-size resize.
cv::Mat noise_field(Draw& draw, int size, int cells, int octaves);
// Maps a [0, 1] field through the palette as a gradient map; `levels` > 1 posterises it.
void paint_field(cv::Mat& image, const cv::Mat& field, const Palette& palette, int levels);

// An uninitialised size x size CV_8UC3 image; throws Error when size < 1.
cv::Mat blank(int size);

}  // namespace varstyle::synthetic
