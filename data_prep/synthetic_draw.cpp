// The shared drawing toolkit of the synthetic images: colour draws, anti-aliased sub-pixel shapes,
// gradients and value-noise fields, all taking their random choices from a keyed Draw.
#include "synthetic_draw.h"

#include <cmath>
#include <string>

#include <opencv2/imgproc.hpp>

#include "core/error.h"

namespace varstyle::synthetic {

Color jitter(Draw& draw, const Color& c, double amount) {
  return c + Color{draw.range(-amount, amount), draw.range(-amount, amount), draw.range(-amount, amount)};
}
Color random_hsv(Draw& draw, double h0, double h1, double s0, double s1, double v0, double v1) {
  const double h = draw.range(h0, h1), s = draw.range(s0, s1), v = draw.range(v0, v1);
  const double h6 = std::fmod(h, 1.0) * 6.0, f = h6 - std::floor(h6);
  const double a = v * (1 - s), b = v * (1 - s * f), c = v * (1 - s * (1 - f));
  const double table[6][3] = {{v, c, a}, {b, v, a}, {a, v, c}, {a, b, v}, {c, a, v}, {v, a, b}};
  const auto& t = table[std::min(5, static_cast<int>(h6))];
  return Color(t[0], t[1], t[2]) * 255.0;
}

void line(cv::Mat& image, double x0, double y0, double x1, double y1, const Color& c, double w,
          double taper) {
  const double length = std::hypot(x1 - x0, y1 - y0);
  if (w < 1.5 || length <= 0) {
    cv::line(image, pt(x0, y0), pt(x1, y1), c, 1, cv::LINE_AA, kShift);
    return;
  }
  const double nx = (y0 - y1) / length * w / 2, ny = (x1 - x0) / length * w / 2;
  const double tx = (x1 - x0) * taper / 2, ty = (y1 - y0) * taper / 2;
  const cv::Point corners[6] = {pt(x0, y0),
                          pt(x0 + tx + nx, y0 + ty + ny),
                          pt(x1 - tx + nx, y1 - ty + ny),
                          pt(x1, y1),
                          pt(x1 - tx - nx, y1 - ty - ny),
                          pt(x0 + tx - nx, y0 + ty - ny)};
  cv::fillConvexPoly(image, corners, 6, c, cv::LINE_AA, kShift);
}
void disc(cv::Mat& image, double x, double y, double r, const Color& c) {
  cv::circle(image, pt(x, y), sub(r), c, cv::FILLED, cv::LINE_AA, kShift);
}
void oval(cv::Mat& image, double x, double y, double rx, double ry, const Color& c) {
  cv::ellipse(image, pt(x, y), {sub(rx), sub(ry)}, 0, 0, 360, c, cv::FILLED, cv::LINE_AA, kShift);
}
void fill(cv::Mat& image, const std::vector<cv::Point>& points, const Color& c) {
  cv::fillPoly(image, std::vector<std::vector<cv::Point>>{points}, c, cv::LINE_AA, kShift);
}
void box(cv::Mat& image, double x0, double y0, double x1, double y1, const Color& c) {
  cv::rectangle(image, pt(x0, y0), pt(x1, y1), c, cv::FILLED, cv::LINE_AA, kShift);
}
void blend(cv::Mat& image, const cv::Mat& layer, double alpha) {
  cv::addWeighted(layer, alpha, image, 1.0 - alpha, 0.0, image);
}
double pitch(double side, double fraction, double floor_px) {
  return std::max(floor_px, side * fraction);
}

void vertical_gradient(cv::Mat& image, int y0, int y1, const Color& top, const Color& bottom) {
  for (int y = std::max(0, y0); y < std::min(image.rows, y1); ++y)
    image.row(y).setTo(mix(top, bottom, (y - y0 + 0.5) / (y1 - y0)));
}
// The position along `angle` is a column term plus a row term, so no per-pixel projection.
void linear_gradient(cv::Mat& image, const Color& a, const Color& b, double angle) {
  const int side = image.cols;
  const double c = std::cos(angle), s = std::sin(angle), norm = std::abs(c) + std::abs(s);
  std::vector<double> tx(side), ty(side);
  for (int i = 0; i < side; ++i) {
    tx[i] = 0.5 + ((i + 0.5) / side - 0.5) * c / norm;
    ty[i] = ((i + 0.5) / side - 0.5) * s / norm;
  }
  for (int y = 0; y < side; ++y) {
    auto* row = image.ptr<cv::Vec3b>(y);
    for (int x = 0; x < side; ++x) row[x] = pixel(mix(a, b, tx[x] + ty[y]));
  }
}

cv::Mat noise_field(Draw& draw, int size, int cells, int octaves) {
  cv::Mat field(cells + 1, cells + 1, CV_32F, cv::Scalar(0));
  float amplitude = 1.0f;
  for (int o = 0; o < octaves && field.cols <= size; ++o, amplitude *= 0.5f) {
    if (o > 0) cv::resize(field, field, {field.cols * 2, field.rows * 2}, 0, 0, cv::INTER_CUBIC);
    float* v = field.ptr<float>();  // freshly allocated, so continuous; MatIterator is slow
    for (size_t i = 0; i < field.total(); ++i) v[i] += amplitude * static_cast<float>(draw.uniform());
  }
  cv::resize(field, field, {size, size}, 0, 0, cv::INTER_CUBIC);
  cv::normalize(field, field, 0.0, 1.0, cv::NORM_MINMAX);
  return field;
}
void paint_field(cv::Mat& image, const cv::Mat& field, const Palette& palette, int levels) {
  std::array<cv::Vec3b, 256> table;
  for (int i = 0; i < 256; ++i) {
    double t = i / 255.0;
    if (levels > 1) t = std::min(std::floor(t * levels), levels - 1.0) / (levels - 1.0);
    const int k = std::min(3, static_cast<int>(t * 4.0));
    table[i] = pixel(mix(palette[k], palette[k + 1], t * 4.0 - k));
  }
  for (int y = 0; y < image.rows; ++y) {
    const float* f = field.ptr<float>(y);
    auto* row = image.ptr<cv::Vec3b>(y);
    for (int x = 0; x < image.cols; ++x) row[x] = table[cvRound(f[x] * 255.0f)];
  }
}

cv::Mat blank(int size) {
  if (size < 1) throw Error("synthetic image size must be positive, got " + std::to_string(size));
  return cv::Mat(size, size, CV_8UC3);
}

}  // namespace varstyle::synthetic
