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
void style_strokes(cv::Mat& image, Draw& draw, const Palette& palette) {
  const double side = image.cols;
  paint_field(image, noise_field(draw, image.cols, 3, 2), palette, 0);
  const double len = pitch(side, draw.range(0.04, 0.1), 4);
  const double width = std::max(1.0, len * draw.range(0.25, 0.45));
  const double base = draw.range(0, kPi), swirl = draw.range(0.2, 1.5), taper = draw.range(0.1, 0.6);
  const double fx = draw.range(1, 5) * 2 * kPi / side, fy = draw.range(1, 5) * 2 * kPi / side;
  const double px = draw.range(0, 2 * kPi), py = draw.range(0, 2 * kPi);
  const int count = static_cast<int>(side * side / (len * width) * draw.range(0.3, 0.5));
  for (int i = 0; i < count; ++i) {
    const double x = draw.uniform() * side, y = draw.uniform() * side, l = len * draw.range(0.35, 0.7);
    const double a = base + swirl * (std::sin(x * fx + px) + std::cos(y * fy + py));
    const double dx = l * std::cos(a), dy = l * std::sin(a);
    line(image, x - dx, y - dy, x + dx, y + dy, jitter(draw, palette[draw.below(5)], 20), width, taper);
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
Bands draw_bands(Draw& draw, const Palette& palette, double period, double duty) {
  Bands b{period, duty, 2 + draw.below(3), {}, pixel(palette[draw.chance(0.5) ? 0 : 4])};
  for (auto& c : b.colors) c = pixel(jitter(draw, palette[draw.below(5)], 10));
  return b;
}
template <typename Field>
void paint_bands(cv::Mat& image, const Bands& b, Field t) {
  const double inverse = 1.0 / b.period, offset = 0.25 * inverse;
  const auto sample = [&](double u) {  // u in periods
    const double bands = std::floor(u);
    if (u - bands >= b.duty) return b.gap;
    const int k = static_cast<int>(bands) % b.count;
    return b.colors[k < 0 ? k + b.count : k];
  };
  for (int y = 0; y < image.rows; ++y) {
    auto* row = image.ptr<cv::Vec3b>(y);
    for (int x = 0; x < image.cols; ++x) {
      const double u = t(x, y) * inverse;
      const cv::Vec3b s0 = sample(u - offset), s1 = sample(u + offset);
      for (int c = 0; c < 3; ++c) row[x][c] = static_cast<uint8_t>((s0[c] + s1[c] + 1) / 2);
    }
  }
}

// Straight bands across a direction, wobbled by a sine per axis (a column and a row table).
void stripes_layer(cv::Mat& image, Draw& draw, const Palette& palette, double angle) {
  const int side = image.cols;
  const double period = pitch(side, draw.range(0.03, 0.12), 3);
  const Bands b = draw_bands(draw, palette, period, draw.range(0.5, 1.2));
  const double c = std::cos(angle), s = std::sin(angle), wobble = draw.chance(0.6) ? period : 0.0;
  const double wx = wobble * draw.range(0.3, 1.0), wy = wobble * draw.range(0.3, 1.0);
  const double fx = draw.range(1, 4) * 2 * kPi / side, fy = draw.range(1, 4) * 2 * kPi / side;
  std::vector<double> tx(side), ty(side);
  for (int i = 0; i < side; ++i) {
    tx[i] = i * c + wx * std::sin(i * fx) * std::abs(s);
    ty[i] = i * s + wy * std::sin(i * fy) * std::abs(c);
  }
  paint_bands(image, b, [&](int x, int y) { return tx[x] + ty[y]; });
}
void style_stripes(cv::Mat& image, Draw& draw, const Palette& palette) {
  const double angle = draw.range(0, kPi);
  stripes_layer(image, draw, palette, angle);
  if (draw.chance(0.4)) {  // plaid: a crossing set, half transparent
    cv::Mat cross(image.size(), image.type());
    stripes_layer(cross, draw, palette, angle + kPi / 2);
    blend(image, cross, 0.5);
  }
}

// Thin lines on a ground: stacked sine waves, or ripples (one centre, two meeting, or wobbled).
void style_waves(cv::Mat& image, Draw& draw, const Palette& palette) {
  const double side = image.cols, sp = pitch(side, draw.range(0.03, 0.08), 3);
  Bands b = draw_bands(draw, palette, sp, draw.range(0.3, 0.7));
  b.gap = pixel(palette[draw.below(5)]);
  if (draw.chance(0.35)) {
    const double x0 = draw.uniform() * side, y0 = draw.uniform() * side, x1 = draw.uniform() * side;
    const double y1 = draw.uniform() * side, wobble = draw.chance(0.5) ? sp * draw.range(0.5, 2) : 0.0;
    const bool two = draw.chance(0.5);
    std::vector<double> wx(image.cols), wy(image.cols);
    for (int i = 0; i < image.cols; ++i) {
      wx[i] = wobble * std::sin(i * 6 * kPi / side);
      wy[i] = wobble * std::cos(i * 4 * kPi / side);
    }
    paint_bands(image, b, [&](int x, int y) {  // min() and the wobble keep |grad t| near 1
      const double r0 = std::sqrt((x - x0) * (x - x0) + (y - y0) * (y - y0)) + wx[x] + wy[y];
      return two ? std::min(r0, std::sqrt((x - x1) * (x - x1) + (y - y1) * (y - y1))) : r0;
    });
    return;
  }
  const double k0 = 2 * kPi / (side * draw.range(0.1, 0.4)), k1 = 2 * kPi / (side * draw.range(0.05, 0.2));
  const double a0 = sp * draw.range(0.5, 3.0), a1 = sp * draw.range(0.0, 0.6);
  const double phase = draw.range(0, 2 * kPi);
  std::vector<double> wave(image.cols);
  for (int x = 0; x < image.cols; ++x) wave[x] = a0 * std::sin(k0 * x + phase) + a1 * std::sin(k1 * x);
  paint_bands(image, b, [&](int x, int y) { return y + wave[x]; });
  if (draw.chance(0.5)) cv::transpose(image, image);
}

// Dots on a square or hexagonal grid; halftone sizes follow a smooth field.
void style_dots(cv::Mat& image, Draw& draw, const Palette& palette) {
  const double side = image.cols, sp = pitch(side, draw.range(0.04, 0.1), 4), fill_ratio = draw.range(0.25, 0.5);
  const bool hex = draw.chance(0.5), halftone = draw.chance(0.5), rings = draw.chance(0.3);
  const double row_step = hex ? sp * 0.866 : sp, jit = draw.chance(0.4) ? draw.range(0.05, 0.3) * sp : 0;
  const int background = draw.below(5), colors = 1 + draw.below(3);
  image.setTo(palette[background]);
  const cv::Mat tone = noise_field(draw, image.cols, 3, 2);
  for (int r = -1; r * row_step < side + sp; ++r) {
    for (int q = -1; q * sp < side + sp; ++q) {
      const double x = (q + (hex && (r & 1) ? 0.5 : 0.0)) * sp + draw.range(-jit, jit);
      const double y = r * row_step + draw.range(-jit, jit);
      const float v = tone.at<float>(std::clamp(cvRound(y), 0, image.rows - 1),
                                     std::clamp(cvRound(x), 0, image.cols - 1));
      const double radius = sp * fill_ratio * (halftone ? 0.2 + 1.1 * v : draw.range(0.8, 1.1));
      const Color c = palette[(background + 1 + (halftone ? 0 : draw.below(colors))) % 5];
      disc(image, x, y, radius, c);
      if (rings) disc(image, x, y, radius * 0.5, palette[background]);
    }
  }
}

// Fractal value noise through the palette: smooth, ridged (marble-like veins) or posterised.
void style_noise(cv::Mat& image, Draw& draw, const Palette& palette) {
  cv::Mat f = noise_field(draw, image.cols, 4 + draw.below(8), 5);
  const int variant = draw.below(3);
  if (variant == 1) {
    float* v = f.ptr<float>();
    for (size_t i = 0; i < f.total(); ++i) {
      const float ridge = 1.0f - std::abs(2.0f * v[i] - 1.0f);
      v[i] = ridge * ridge * ridge;
    }
  }
  paint_field(image, f, palette, variant == 2 ? 3 + draw.below(4) : 0);
}

// Ink cross-hatching on paper: each further direction only where a smooth tone field is darker.
void style_hatching(cv::Mat& image, Draw& draw, const Palette& palette) {
  const double side = image.cols, sp = pitch(side, draw.range(0.015, 0.035), 2.5);
  const double width = std::max(1.0, sp * draw.range(0.15, 0.35)), angle0 = draw.range(0, kPi);
  const bool colored = draw.chance(0.4);
  const cv::Mat tone = noise_field(draw, image.cols, 2 + draw.below(4), 3);
  paint_field(image, tone, {palette[4], palette[4], mix(palette[4], palette[3], 0.5), palette[3], palette[3]}, 0);  // a light wash
  const int layers = 2 + draw.below(3);
  cv::Mat layer, mask;
  for (int k = 0; k < layers; ++k) {
    image.copyTo(layer);
    const double a = angle0 + k * kPi / layers + draw.range(-0.1, 0.1);
    const double c = std::cos(a), s = std::sin(a);
    const Color ink = colored ? palette[k % 3] : palette[0];
    for (double o = -0.75 * side; o < 0.75 * side; o += sp * draw.range(0.8, 1.2)) {
      const double x = side / 2 + o * c, y = side / 2 + o * s, tilt = draw.range(-0.03, 0.03);
      line(layer, x - side * (s + tilt), y + side * (c - tilt), x + side * (s - tilt), y - side * (c + tilt),
           ink, width);
    }
    cv::compare(tone, (k + 0.7) / (layers + 1), mask, cv::CMP_GT);
    layer.copyTo(image, mask);
  }
}

// Voronoi tiles with grout: each pixel finds its two nearest jittered grid seeds, and the gap
// between the two distances marks the joints.
void style_mosaic(cv::Mat& image, Draw& draw, const Palette& palette) {
  const int side = image.cols;
  const float cell = static_cast<float>(pitch(side, draw.range(0.04, 0.1), 4));
  const float grout = std::max(0.6f, cell * static_cast<float>(draw.range(0.05, 0.15)));
  const int g = static_cast<int>(std::ceil(side / cell)) + 2;  // a spare cell on each side
  const cv::Mat tone = noise_field(draw, g, 2, 2);
  std::vector<cv::Point2f> seeds(g * g);
  std::vector<cv::Vec3b> tiles(g * g);
  for (int i = 0; i < g * g; ++i) {
    const double sx = draw.range(0.1, 0.9), sy = draw.range(0.1, 0.9);
    seeds[i] = {static_cast<float>((i % g - 1 + sx) * cell),
                static_cast<float>((i / g - 1 + sy) * cell)};
    const double shade = tone.at<float>(i / g, i % g) * 5 + draw.range(-0.7, 0.7);
    tiles[i] = pixel(jitter(draw, palette[std::clamp(static_cast<int>(shade), 0, 4)], 15));
  }
  const cv::Vec3f joint = pixel(mix(palette[draw.chance(0.7) ? 0 : 4], Color(128, 128, 128), 0.2));
  std::vector<int> column(side);
  for (int x = 0; x < side; ++x) column[x] = static_cast<int>(x / cell) + 1;
  for (int y = 0; y < side; ++y) {
    auto* row = image.ptr<cv::Vec3b>(y);
    const int gy = static_cast<int>(y / cell) + 1;  // 1..g-2, so its neighbours exist
    for (int x = 0; x < side; ++x) {
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
  cv::Mat image = blank(size);
  const uint64_t key = mix_keys(seed, static_cast<uint64_t>(index), kStyleStream);
  // Choices come from their own stream and each layer gets its own, so that how many draws a
  // layer takes (which grows with size) never changes the palette or the other layer.
  Draw choice(key);
  Palette palette;
  const auto& base = kPalettes[choice.below(std::size(kPalettes))];
  for (int i = 0; i < 5; ++i) palette[i] = jitter(choice, rgb(base[i]), 12);
  const int first = choice.below(std::size(kStyles));
  Draw first_draw(mix_keys(key, 1));
  kStyles[first](image, first_draw, palette);
  if (choice.chance(0.45)) {
    const int second = (first + 1 + choice.below(std::size(kStyles) - 1)) % std::size(kStyles);
    cv::Mat top = blank(size);
    Draw second_draw(mix_keys(key, 2));
    kStyles[second](top, second_draw, palette);
    if (choice.chance(0.3)) {
      cv::multiply(image, top, image, 1.0 / 255.0);  // multiply: the top layer reads as glaze or ink
    } else {
      blend(image, top, choice.range(0.25, 0.5));
    }
  }
  return image;
}

}  // namespace varstyle
