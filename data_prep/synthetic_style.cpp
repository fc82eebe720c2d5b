// Synthetic style images: procedural textures (strokes, stripes, dots, noise, waves, hatching,
// mosaic) in a jittered palette, sometimes a second texture glazed or blended over the first.
#include "synthetic_images.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>
#include <vector>

#include "core/hash.h"
#include "synthetic_draw.h"

namespace varstyle::synthetic {
namespace {

constexpr uint64_t kStyleStream = 0xC0DE'57E1ULL;

// Style palettes, dark to light so that gradient maps read as tone; RGB. In order: impressionist
// blues, warm ochres, pop-art primaries, monochrome ink, pastel, neon, forest, sunset.
constexpr uint8_t kPalettes[][5][3] = {
    {{20, 40, 100}, {50, 100, 170}, {110, 160, 210}, {200, 215, 235}, {240, 205, 110}},
    {{80, 45, 20}, {150, 85, 30}, {200, 135, 50}, {230, 185, 105}, {245, 230, 190}},
    {{20, 20, 25}, {30, 70, 200}, {225, 30, 40}, {250, 210, 20}, {245, 245, 240}},
    {{15, 15, 20}, {65, 65, 70}, {125, 125, 125}, {195, 195, 190}, {245, 242, 230}},
    {{150, 130, 190}, {240, 165, 185}, {160, 210, 195}, {250, 225, 170}, {250, 245, 240}},
    {{10, 5, 30}, {120, 40, 255}, {255, 40, 190}, {30, 240, 220}, {245, 255, 80}},
    {{30, 55, 30}, {110, 75, 40}, {75, 115, 45}, {165, 155, 85}, {225, 205, 150}},
    {{40, 20, 70}, {140, 40, 90}, {225, 80, 60}, {250, 160, 60}, {255, 230, 150}},
};

// Short thick strokes over a soft underpainting, oriented by a smooth flow field.
void style_strokes(cv::Mat& m, Draw& d, const Palette& p) {
  const double n = m.cols;
  paint_field(m, noise_field(d, m.cols, 3, 2), p, 0);
  const double len = pitch(n, d.range(0.04, 0.1), 4);
  const double width = std::max(1.0, len * d.range(0.25, 0.45));
  const double base = d.range(0, kPi), swirl = d.range(0.2, 1.5), taper = d.range(0.1, 0.6);
  const double fx = d.range(1, 5) * 2 * kPi / n, fy = d.range(1, 5) * 2 * kPi / n;
  const double px = d.range(0, 2 * kPi), py = d.range(0, 2 * kPi);
  const int count = static_cast<int>(n * n / (len * width) * d.range(0.3, 0.5));
  for (int i = 0; i < count; ++i) {
    const double x = d.uniform() * n, y = d.uniform() * n, l = len * d.range(0.35, 0.7);
    const double a = base + swirl * (std::sin(x * fx + px) + std::cos(y * fy + py));
    const double dx = l * std::cos(a), dy = l * std::sin(a);
    line(m, x - dx, y - dy, x + dx, y + dy, jitter(d, p[d.below(5)], 20), width, taper);
  }
}

// Colour bands of a field t(x, y) in pixels: band b shows colors[b % count] for the first `duty`
// of each period and `gap` after it. Fields here have |grad t| >= 1, so two samples half a pixel
// apart along t are enough to soften the edges.
struct Bands {
  double period = 8, duty = 1;
  int count = 2;
  std::array<cv::Vec3b, 4> colors;
  cv::Vec3b gap;
};
Bands draw_bands(Draw& d, const Palette& p, double period, double duty) {
  Bands b{period, duty, 2 + d.below(3), {}, pixel(p[d.chance(0.5) ? 0 : 4])};
  for (auto& c : b.colors) c = pixel(jitter(d, p[d.below(5)], 10));
  return b;
}
template <typename Field>
void paint_bands(cv::Mat& m, const Bands& b, Field t) {
  const double inverse = 1.0 / b.period, offset = 0.25 * inverse;
  const auto sample = [&](double u) {  // u in periods
    const double bands = std::floor(u);
    if (u - bands >= b.duty) return b.gap;
    const int k = static_cast<int>(bands) % b.count;
    return b.colors[k < 0 ? k + b.count : k];
  };
  for (int y = 0; y < m.rows; ++y) {
    auto* row = m.ptr<cv::Vec3b>(y);
    for (int x = 0; x < m.cols; ++x) {
      const double u = t(x, y) * inverse;
      const cv::Vec3b s0 = sample(u - offset), s1 = sample(u + offset);
      for (int c = 0; c < 3; ++c) row[x][c] = static_cast<uint8_t>((s0[c] + s1[c] + 1) / 2);
    }
  }
}

// Straight bands across a direction, wobbled by a sine per axis (a column and a row table).
void stripes_layer(cv::Mat& m, Draw& d, const Palette& p, double angle) {
  const int n = m.cols;
  const double period = pitch(n, d.range(0.03, 0.12), 3);
  const Bands b = draw_bands(d, p, period, d.range(0.5, 1.2));
  const double c = std::cos(angle), s = std::sin(angle), wobble = d.chance(0.6) ? period : 0.0;
  const double wx = wobble * d.range(0.3, 1.0), wy = wobble * d.range(0.3, 1.0);
  const double fx = d.range(1, 4) * 2 * kPi / n, fy = d.range(1, 4) * 2 * kPi / n;
  std::vector<double> tx(n), ty(n);
  for (int i = 0; i < n; ++i) {
    tx[i] = i * c + wx * std::sin(i * fx) * std::abs(s);
    ty[i] = i * s + wy * std::sin(i * fy) * std::abs(c);
  }
  paint_bands(m, b, [&](int x, int y) { return tx[x] + ty[y]; });
}
void style_stripes(cv::Mat& m, Draw& d, const Palette& p) {
  const double angle = d.range(0, kPi);
  stripes_layer(m, d, p, angle);
  if (d.chance(0.4)) {  // plaid: a crossing set, half transparent
    cv::Mat cross(m.size(), m.type());
    stripes_layer(cross, d, p, angle + kPi / 2);
    blend(m, cross, 0.5);
  }
}

// Thin lines on a ground: stacked sine waves, or ripples (one centre, two meeting, or wobbled).
void style_waves(cv::Mat& m, Draw& d, const Palette& p) {
  const double n = m.cols, sp = pitch(n, d.range(0.03, 0.08), 3);
  Bands b = draw_bands(d, p, sp, d.range(0.3, 0.7));
  b.gap = pixel(p[d.below(5)]);
  if (d.chance(0.35)) {
    const double x0 = d.uniform() * n, y0 = d.uniform() * n, x1 = d.uniform() * n;
    const double y1 = d.uniform() * n, wobble = d.chance(0.5) ? sp * d.range(0.5, 2) : 0.0;
    const bool two = d.chance(0.5);
    std::vector<double> wx(m.cols), wy(m.cols);
    for (int i = 0; i < m.cols; ++i) {
      wx[i] = wobble * std::sin(i * 6 * kPi / n);
      wy[i] = wobble * std::cos(i * 4 * kPi / n);
    }
    paint_bands(m, b, [&](int x, int y) {  // min() and the wobble keep |grad t| near 1
      const double r0 = std::sqrt((x - x0) * (x - x0) + (y - y0) * (y - y0)) + wx[x] + wy[y];
      return two ? std::min(r0, std::sqrt((x - x1) * (x - x1) + (y - y1) * (y - y1))) : r0;
    });
    return;
  }
  const double k0 = 2 * kPi / (n * d.range(0.1, 0.4)), k1 = 2 * kPi / (n * d.range(0.05, 0.2));
  const double a0 = sp * d.range(0.5, 3.0), a1 = sp * d.range(0.0, 0.6);
  const double phase = d.range(0, 2 * kPi);
  std::vector<double> wave(m.cols);
  for (int x = 0; x < m.cols; ++x) wave[x] = a0 * std::sin(k0 * x + phase) + a1 * std::sin(k1 * x);
  paint_bands(m, b, [&](int x, int y) { return y + wave[x]; });
  if (d.chance(0.5)) cv::transpose(m, m);
}

// Dots on a square or hexagonal grid; halftone sizes follow a smooth field.
void style_dots(cv::Mat& m, Draw& d, const Palette& p) {
  const double n = m.cols, sp = pitch(n, d.range(0.04, 0.1), 4), fill_ratio = d.range(0.25, 0.5);
  const bool hex = d.chance(0.5), halftone = d.chance(0.5), rings = d.chance(0.3);
  const double row_step = hex ? sp * 0.866 : sp, jit = d.chance(0.4) ? d.range(0.05, 0.3) * sp : 0;
  const int background = d.below(5), colors = 1 + d.below(3);
  m.setTo(p[background]);
  const cv::Mat tone = noise_field(d, m.cols, 3, 2);
  for (int r = -1; r * row_step < n + sp; ++r) {
    for (int q = -1; q * sp < n + sp; ++q) {
      const double x = (q + (hex && (r & 1) ? 0.5 : 0.0)) * sp + d.range(-jit, jit);
      const double y = r * row_step + d.range(-jit, jit);
      const float v = tone.at<float>(std::clamp(cvRound(y), 0, m.rows - 1),
                                     std::clamp(cvRound(x), 0, m.cols - 1));
      const double radius = sp * fill_ratio * (halftone ? 0.2 + 1.1 * v : d.range(0.8, 1.1));
      const Color c = p[(background + 1 + (halftone ? 0 : d.below(colors))) % 5];
      disc(m, x, y, radius, c);
      if (rings) disc(m, x, y, radius * 0.5, p[background]);
    }
  }
}

// Fractal value noise through the palette: smooth, ridged (marble-like veins) or posterised.
void style_noise(cv::Mat& m, Draw& d, const Palette& p) {
  cv::Mat f = noise_field(d, m.cols, 4 + d.below(8), 5);
  const int variant = d.below(3);
  if (variant == 1) {
    float* v = f.ptr<float>();
    for (size_t i = 0; i < f.total(); ++i) {
      const float ridge = 1.0f - std::abs(2.0f * v[i] - 1.0f);
      v[i] = ridge * ridge * ridge;
    }
  }
  paint_field(m, f, p, variant == 2 ? 3 + d.below(4) : 0);
}

// Ink cross-hatching on paper: each further direction only where a smooth tone field is darker.
void style_hatching(cv::Mat& m, Draw& d, const Palette& p) {
  const double n = m.cols, sp = pitch(n, d.range(0.015, 0.035), 2.5);
  const double width = std::max(1.0, sp * d.range(0.15, 0.35)), angle0 = d.range(0, kPi);
  const bool colored = d.chance(0.4);
  const cv::Mat tone = noise_field(d, m.cols, 2 + d.below(4), 3);
  paint_field(m, tone, {p[4], p[4], mix(p[4], p[3], 0.5), p[3], p[3]}, 0);  // a light wash
  const int layers = 2 + d.below(3);
  cv::Mat layer, mask;
  for (int k = 0; k < layers; ++k) {
    m.copyTo(layer);
    const double a = angle0 + k * kPi / layers + d.range(-0.1, 0.1);
    const double c = std::cos(a), s = std::sin(a);
    const Color ink = colored ? p[k % 3] : p[0];
    for (double o = -0.75 * n; o < 0.75 * n; o += sp * d.range(0.8, 1.2)) {
      const double x = n / 2 + o * c, y = n / 2 + o * s, tilt = d.range(-0.03, 0.03);
      line(layer, x - n * (s + tilt), y + n * (c - tilt), x + n * (s - tilt), y - n * (c + tilt),
           ink, width);
    }
    cv::compare(tone, (k + 0.7) / (layers + 1), mask, cv::CMP_GT);
    layer.copyTo(m, mask);
  }
}

// Voronoi tiles with grout: each pixel finds its two nearest jittered grid seeds, and the gap
// between the two distances marks the joints.
void style_mosaic(cv::Mat& m, Draw& d, const Palette& p) {
  const int n = m.cols;
  const float cell = static_cast<float>(pitch(n, d.range(0.04, 0.1), 4));
  const float grout = std::max(0.6f, cell * static_cast<float>(d.range(0.05, 0.15)));
  const int g = static_cast<int>(std::ceil(n / cell)) + 2;  // a spare cell on each side
  const cv::Mat tone = noise_field(d, g, 2, 2);
  std::vector<cv::Point2f> seeds(g * g);
  std::vector<cv::Vec3b> tiles(g * g);
  for (int i = 0; i < g * g; ++i) {
    const double sx = d.range(0.1, 0.9), sy = d.range(0.1, 0.9);
    seeds[i] = {static_cast<float>((i % g - 1 + sx) * cell),
                static_cast<float>((i / g - 1 + sy) * cell)};
    const double shade = tone.at<float>(i / g, i % g) * 5 + d.range(-0.7, 0.7);
    tiles[i] = pixel(jitter(d, p[std::clamp(static_cast<int>(shade), 0, 4)], 15));
  }
  const cv::Vec3f joint = pixel(mix(p[d.chance(0.7) ? 0 : 4], Color(128, 128, 128), 0.2));
  std::vector<int> column(n);
  for (int x = 0; x < n; ++x) column[x] = static_cast<int>(x / cell) + 1;
  for (int y = 0; y < n; ++y) {
    auto* row = m.ptr<cv::Vec3b>(y);
    const int gy = static_cast<int>(y / cell) + 1;  // 1..g-2, so its neighbours exist
    for (int x = 0; x < n; ++x) {
      const int gx = column[x];
      float d1 = 1e30f, d2 = 1e30f;
      int best = 0;
      for (int j = gy - 1; j <= gy + 1; ++j) {
        for (int i = j * g + gx - 1; i <= j * g + gx + 1; ++i) {
          const float dx = seeds[i].x - x - 0.5f, dy = seeds[i].y - y - 0.5f;
          const float dist = dx * dx + dy * dy;  // branch-free: the winner is unpredictable
          d2 = std::min(d2, std::max(d1, dist));
          best = dist < d1 ? i : best;
          d1 = std::min(d1, dist);
        }
      }
      const float edge = std::sqrt(d2) - std::sqrt(d1) - grout;
      if (edge >= 1.0f) {
        row[x] = tiles[best];
      } else {
        const float t = std::max(0.0f, edge);
        row[x] = cv::Vec3b(joint * (1.0f - t) + cv::Vec3f(tiles[best]) * t);
      }
    }
  }
}

using StyleGenerator = void (*)(cv::Mat&, Draw&, const Palette&);
constexpr StyleGenerator kStyles[] = {style_strokes, style_stripes, style_dots,    style_noise,
                                      style_waves,   style_hatching, style_mosaic};

}  // namespace
}  // namespace varstyle::synthetic

namespace varstyle {

cv::Mat draw_synthetic_style(uint64_t seed, int64_t index, int size) {
  using namespace synthetic;
  cv::Mat m = blank(size);
  const uint64_t key = mix_keys(seed, static_cast<uint64_t>(index), kStyleStream);
  // Choices come from their own stream and each layer gets its own, so that how many draws a
  // layer takes (which grows with size) never changes the palette or the other layer.
  Draw choice(key);
  Palette p;
  const auto& base = kPalettes[choice.below(std::size(kPalettes))];
  for (int i = 0; i < 5; ++i) p[i] = jitter(choice, rgb(base[i]), 12);
  const int first = choice.below(std::size(kStyles));
  Draw first_draw(mix_keys(key, 1));
  kStyles[first](m, first_draw, p);
  if (choice.chance(0.45)) {
    const int second = (first + 1 + choice.below(std::size(kStyles) - 1)) % std::size(kStyles);
    cv::Mat top = blank(size);
    Draw second_draw(mix_keys(key, 2));
    kStyles[second](top, second_draw, p);
    if (choice.chance(0.3)) {
      cv::multiply(m, top, m, 1.0 / 255.0);  // multiply: the top layer reads as glaze or ink
    } else {
      blend(m, top, choice.range(0.25, 0.5));
    }
  }
  return m;
}

}  // namespace varstyle
