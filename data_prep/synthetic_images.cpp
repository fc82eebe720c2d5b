// Procedural content scenes and style textures drawn with OpenCV; every random choice comes from a
// generator keyed by (seed, index, kind), so an image never depends on threads or call order.
#include "synthetic_images.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "core/error.h"
#include "core/hash.h"

namespace varstyle {
namespace {

constexpr int kShift = 4;  // sub-pixel bits: 32-pixel images need fractional coordinates
constexpr double kSub = 1 << kShift;
constexpr double kPi = 3.14159265358979323846;
constexpr uint64_t kContentStream = 0xC0DE'C047ULL;
constexpr uint64_t kStyleStream = 0xC0DE'57E1ULL;

// Draws are written out here because std::uniform_*_distribution is implementation-defined and
// would make the images differ between standard libraries.
class Draw {
 public:
  explicit Draw(uint64_t key) : gen_(key) {}
  double uniform() { return static_cast<double>(gen_() >> 11) * 0x1.0p-53; }  // [0, 1)
  double range(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // [0, n); the clamp covers uniform() * n rounding up to n.
  int below(int n) { return std::min(n - 1, static_cast<int>(uniform() * n)); }
  bool chance(double p) { return uniform() < p; }

 private:
  std::mt19937_64 gen_;
};

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
// Content skies (zenith, horizon) and grounds (far, near); RGB.
constexpr uint8_t kSkies[][2][3] = {{{60, 120, 205}, {185, 215, 240}},  // clear day
                                    {{55, 45, 115}, {250, 160, 95}},    // dusk
                                    {{8, 12, 38}, {45, 55, 105}},       // night
                                    {{115, 125, 140}, {200, 203, 208}},  // overcast
                                    {{110, 145, 205}, {250, 205, 190}}};  // dawn
constexpr int kNightSky = 2;
constexpr uint8_t kGrounds[][2][3] = {{{95, 140, 60}, {45, 100, 30}},     // grass
                                      {{225, 195, 135}, {190, 145, 80}},  // desert
                                      {{215, 222, 232}, {170, 182, 205}},  // snow
                                      {{135, 110, 75}, {90, 70, 45}}};    // earth

using Color = cv::Scalar;  // channels 0..2 are R, G, B throughout
using Palette = std::array<Color, 5>;

Color rgb(const uint8_t (&c)[3]) { return Color(c[0], c[1], c[2]); }
Color mix(const Color& a, const Color& b, double t) { return a * (1.0 - t) + b * t; }
// Braced lists evaluate in order; the order of function arguments is unspecified, so a call
// never takes two draws as arguments here.
Color jitter(Draw& d, const Color& c, double amount) {
  return c + Color{d.range(-amount, amount), d.range(-amount, amount), d.range(-amount, amount)};
}
cv::Vec3b pixel(const Color& c) {
  return {cv::saturate_cast<uint8_t>(c[0]), cv::saturate_cast<uint8_t>(c[1]),
          cv::saturate_cast<uint8_t>(c[2])};
}
// A colour drawn in HSV, hue in [h0, h1) (wrapping at 1), saturation and value in their ranges.
Color random_hsv(Draw& d, double h0, double h1, double s0, double s1, double v0, double v1) {
  const double h = d.range(h0, h1), s = d.range(s0, s1), v = d.range(v0, v1);
  const double h6 = std::fmod(h, 1.0) * 6.0, f = h6 - std::floor(h6);
  const double a = v * (1 - s), b = v * (1 - s * f), c = v * (1 - s * (1 - f));
  const double table[6][3] = {{v, c, a}, {b, v, a}, {a, v, c}, {a, b, v}, {c, a, v}, {v, a, b}};
  const auto& t = table[std::min(5, static_cast<int>(h6))];
  return Color(t[0], t[1], t[2]) * 255.0;
}

// Drawing in sub-pixel units with anti-aliasing.
cv::Point pt(double x, double y) { return {cvRound(x * kSub), cvRound(y * kSub)}; }
int sub(double r) { return std::max(1, cvRound(r * kSub)); }
// A convex polygon around the segment, `taper` of the half-length pointed at each end (0: square
// ends). Thick anti-aliased cv::line adds a round cap at each end and costs about four times
// as much; hairlines (w < 1.5) still use it.
void line(cv::Mat& m, double x0, double y0, double x1, double y1, const Color& c, double w,
          double taper = 0) {
  const double length = std::hypot(x1 - x0, y1 - y0);
  if (w < 1.5 || length <= 0) {
    cv::line(m, pt(x0, y0), pt(x1, y1), c, 1, cv::LINE_AA, kShift);
    return;
  }
  const double nx = (y0 - y1) / length * w / 2, ny = (x1 - x0) / length * w / 2;
  const double tx = (x1 - x0) * taper / 2, ty = (y1 - y0) * taper / 2;
  const cv::Point p[6] = {pt(x0, y0),
                          pt(x0 + tx + nx, y0 + ty + ny),
                          pt(x1 - tx + nx, y1 - ty + ny),
                          pt(x1, y1),
                          pt(x1 - tx - nx, y1 - ty - ny),
                          pt(x0 + tx - nx, y0 + ty - ny)};
  cv::fillConvexPoly(m, p, 6, c, cv::LINE_AA, kShift);
}
void disc(cv::Mat& m, double x, double y, double r, const Color& c) {
  cv::circle(m, pt(x, y), sub(r), c, cv::FILLED, cv::LINE_AA, kShift);
}
void oval(cv::Mat& m, double x, double y, double rx, double ry, const Color& c) {
  cv::ellipse(m, pt(x, y), {sub(rx), sub(ry)}, 0, 0, 360, c, cv::FILLED, cv::LINE_AA, kShift);
}
void fill(cv::Mat& m, const std::vector<cv::Point>& p, const Color& c) {
  cv::fillPoly(m, std::vector<std::vector<cv::Point>>{p}, c, cv::LINE_AA, kShift);
}
void box(cv::Mat& m, double x0, double y0, double x1, double y1, const Color& c) {
  cv::rectangle(m, pt(x0, y0), pt(x1, y1), c, cv::FILLED, cv::LINE_AA, kShift);
}
// OpenCV draws opaque shapes, so translucency is drawn on a copy and blended back.
void blend(cv::Mat& m, const cv::Mat& layer, double alpha) {
  cv::addWeighted(layer, alpha, m, 1.0 - alpha, 0.0, m);
}
// Pattern pitch in pixels: a fraction of the side, but never below `floor_px`, so that 32-pixel
// textures keep a visible pattern instead of averaging to one flat colour.
double pitch(double n, double fraction, double floor_px) {
  return std::max(floor_px, n * fraction);
}

void vertical_gradient(cv::Mat& m, int y0, int y1, const Color& top, const Color& bottom) {
  for (int y = std::max(0, y0); y < std::min(m.rows, y1); ++y)
    m.row(y).setTo(mix(top, bottom, (y - y0 + 0.5) / (y1 - y0)));
}
// The position along `angle` is a column term plus a row term, so no per-pixel projection.
void linear_gradient(cv::Mat& m, const Color& a, const Color& b, double angle) {
  const int n = m.cols;
  const double c = std::cos(angle), s = std::sin(angle), norm = std::abs(c) + std::abs(s);
  std::vector<double> tx(n), ty(n);
  for (int i = 0; i < n; ++i) {
    tx[i] = 0.5 + ((i + 0.5) / n - 0.5) * c / norm;
    ty[i] = ((i + 0.5) / n - 0.5) * s / norm;
  }
  for (int y = 0; y < n; ++y) {
    auto* row = m.ptr<cv::Vec3b>(y);
    for (int x = 0; x < n; ++x) row[x] = pixel(mix(a, b, tx[x] + ty[y]));
  }
}

// Smooth random field in [0, 1]: value noise built coarse to fine, each octave a grid of draws
// added after doubling the sum so far, then one resize to the side. Resizing the sum rather than
// each octave to full size makes the cost about that of a single full-size resize.
cv::Mat noise_field(Draw& d, int size, int cells, int octaves) {
  cv::Mat field(cells + 1, cells + 1, CV_32F, cv::Scalar(0));
  float amplitude = 1.0f;
  for (int o = 0; o < octaves && field.cols <= size; ++o, amplitude *= 0.5f) {
    if (o > 0) cv::resize(field, field, {field.cols * 2, field.rows * 2}, 0, 0, cv::INTER_CUBIC);
    float* v = field.ptr<float>();  // freshly allocated, so continuous; MatIterator is slow
    for (size_t i = 0; i < field.total(); ++i) v[i] += amplitude * static_cast<float>(d.uniform());
  }
  cv::resize(field, field, {size, size}, 0, 0, cv::INTER_CUBIC);
  cv::normalize(field, field, 0.0, 1.0, cv::NORM_MINMAX);
  return field;
}
// Maps a [0, 1] field through the palette as a gradient map; `levels` > 1 posterises it.
void paint_field(cv::Mat& m, const cv::Mat& field, const Palette& p, int levels) {
  std::array<cv::Vec3b, 256> table;
  for (int i = 0; i < 256; ++i) {
    double t = i / 255.0;
    if (levels > 1) t = std::min(std::floor(t * levels), levels - 1.0) / (levels - 1.0);
    const int k = std::min(3, static_cast<int>(t * 4.0));
    table[i] = pixel(mix(p[k], p[k + 1], t * 4.0 - k));
  }
  for (int y = 0; y < m.rows; ++y) {
    const float* f = field.ptr<float>(y);
    auto* row = m.ptr<cv::Vec3b>(y);
    for (int x = 0; x < m.cols; ++x) row[x] = table[cvRound(f[x] * 255.0f)];
  }
}

// ---- Content scenes -------------------------------------------------------------------------

struct Scene {
  cv::Mat& m;
  Draw& d;
  double n;                       // side in pixels
  Color sky_top, sky_low;         // sky gradient, zenith to horizon
  Color ground_far, ground_near;  // at the horizon and at the bottom edge
  bool night;
};

// Heights (pixels) at evenly spaced x: rolling sines, or midpoint displacement for crests.
std::vector<double> rolling_ridge(Draw& d, double base, double amplitude) {
  double f[3], p[3], a[3];
  for (int k = 0; k < 3; ++k)
    f[k] = d.range(0.5, 2.5) * (k + 1), p[k] = d.range(0, 2 * kPi), a[k] = amplitude / (k + 1);
  std::vector<double> h(65);
  for (size_t i = 0; i < h.size(); ++i) {
    const double x = static_cast<double>(i) / (h.size() - 1);
    h[i] = base;
    for (int k = 0; k < 3; ++k) h[i] -= a[k] * std::sin(2 * kPi * f[k] * x + p[k]);
  }
  return h;
}
std::vector<double> jagged_ridge(Draw& d, double base, double amplitude, double roughness) {
  std::vector<double> h(65);
  h.front() = base + d.range(-amplitude, amplitude);
  h.back() = base + d.range(-amplitude, amplitude);
  double spread = amplitude;
  for (size_t step = h.size() - 1; step > 1; step /= 2, spread *= roughness)
    for (size_t i = step / 2; i < h.size(); i += step)
      h[i] = (h[i - step / 2] + h[i + step / 2]) / 2 + d.range(-spread, spread);
  return h;
}
double height_at(const std::vector<double>& h, double x, double n) {
  const double i = std::clamp(x / n, 0.0, 1.0) * (h.size() - 1);
  return h[static_cast<size_t>(std::lround(i))];
}
// Fills between the ridge and `bottom`; the ridge is clamped so the polygon never self-crosses.
void fill_ridge(cv::Mat& m, const std::vector<double>& h, double bottom, const Color& c) {
  const double n = m.cols;
  std::vector<cv::Point> p;
  for (size_t i = 0; i < h.size(); ++i)
    p.push_back(pt(i * (n + 2) / (h.size() - 1) - 1, std::min(h[i], bottom)));
  p.push_back(pt(n + 1, bottom));
  p.push_back(pt(-1, bottom));
  fill(m, p, c);
}

Scene make_scene(cv::Mat& m, Draw& d) {
  const int sky = d.below(std::size(kSkies)), ground = d.below(std::size(kGrounds));
  return Scene{m, d, static_cast<double>(m.cols), jitter(d, rgb(kSkies[sky][0]), 15),
               jitter(d, rgb(kSkies[sky][1]), 15), jitter(d, rgb(kGrounds[ground][0]), 15),
               jitter(d, rgb(kGrounds[ground][1]), 15), sky == kNightSky};
}

// Sun or moon with a soft halo; at night the sky above also gets stars.
void sky_body(Scene& s, double horizon) {
  const double x = s.d.range(0.1, 0.9) * s.n, y = s.d.range(0.12, 0.75) * horizon;
  const double r = std::max(2.2, s.n * s.d.range(0.035, 0.08));  // tinier AA discs read as "+"
  if (s.night) {
    for (int i = 0, count = 10 + s.d.below(40); i < count; ++i) {
      const double sx = s.d.uniform() * s.n, sy = s.d.uniform() * horizon;
      disc(s.m, sx, sy, std::max(0.5, s.d.range(0.4, 1.0) * s.n / 256), Color(230, 230, 210));
    }
  }
  const Color body = s.night ? Color(235, 235, 215) : mix(Color(255, 248, 215), s.sky_low, 0.25);
  cv::Mat halo = s.m.clone();
  for (int k = 0; k < 4; ++k)  // rings brightening inwards: a soft halo without a blur pass
    disc(halo, x, y, r * (3.0 - 0.5 * k), mix(s.sky_low, body, 0.3 + 0.2 * k));
  blend(s.m, halo, 0.3);
  disc(s.m, x, y, r, body);
}

void clouds(Scene& s, double bottom) {
  cv::Mat layer = s.m.clone();
  const Color white = s.night ? Color(60, 65, 90) : mix(Color(252, 252, 255), s.sky_low, 0.2);
  for (int i = 0, count = 1 + s.d.below(4); i < count; ++i) {
    const double x = s.d.uniform() * s.n, y = s.d.range(0.1, 0.8) * bottom;
    const double w = s.n * s.d.range(0.06, 0.16);
    for (int k = 0; k < 5; ++k) {
      const double dx = w * s.d.range(-1, 1), dy = w * s.d.range(-0.2, 0.1);
      const double rx = w * s.d.range(0.4, 0.8), ry = w * s.d.range(0.15, 0.35);
      oval(layer, x + dx, y + dy, rx, ry, white);
    }
  }
  blend(s.m, layer, s.d.range(0.55, 0.9));
}

void tree(Scene& s, double x, double y, double h) {
  const Color leaf = jitter(s.d, mix(Color(40, 95, 35), s.ground_far, 0.3), 20);
  line(s.m, x, y, x, y - h * 0.5, jitter(s.d, Color(85, 60, 40), 12), h * 0.07);
  if (s.d.chance(0.5)) {
    for (int k = 0; k < 3; ++k) {  // conifer: stacked triangles
      const double top = y - h * (0.55 + 0.16 * k), w = h * (0.3 - 0.07 * k);
      fill(s.m, {pt(x - w, top + h * 0.28), pt(x + w, top + h * 0.28), pt(x, top - h * 0.15)},
           mix(leaf, Color(0, 0, 0), 0.1 * (2 - k)));
    }
  } else {
    disc(s.m, x, y - h * 0.62, h * 0.3, leaf * 0.8);
    disc(s.m, x - h * 0.08, y - h * 0.7, h * 0.22, leaf);
  }
}

void scene_landscape(Scene& s) {
  const double horizon = s.n * s.d.range(0.4, 0.65);
  vertical_gradient(s.m, 0, s.m.rows, s.sky_top, s.sky_low);
  if (s.d.chance(0.8)) sky_body(s, horizon);
  if (s.d.chance(0.6)) clouds(s, horizon);
  const int layers = 2 + s.d.below(3);
  for (int k = 0; k < layers; ++k) {
    const double t = static_cast<double>(k) / (layers - 1);  // 0 far, 1 near
    const auto h = rolling_ridge(s.d, horizon + (s.n - horizon) * t * 0.55,
                                 s.n * s.d.range(0.02, 0.08) * (1.0 - 0.5 * t));
    const Color ground = mix(s.ground_far, s.ground_near, t);
    fill_ridge(s.m, h, s.n + 1, mix(ground, s.sky_low, 0.45 * (1.0 - t)));  // haze far away
    for (int i = 0, count = s.d.below(5); i < count; ++i) {
      const double x = s.d.uniform() * s.n;
      tree(s, x, height_at(h, x, s.n) + s.n * 0.02, s.n * s.d.range(0.07, 0.16) * (0.6 + t));
    }
  }
}

void scene_city(Scene& s) {
  const double horizon = s.n * s.d.range(0.65, 0.85);
  vertical_gradient(s.m, 0, s.m.rows, s.sky_top, s.sky_low);
  if (s.d.chance(0.6)) sky_body(s, horizon * 0.6);
  for (int row = 0; row < 2; ++row) {  // a hazy far row, then the near row with windows
    for (double x = -s.n * s.d.range(0, 0.1); x < s.n;) {
      const double w = s.n * s.d.range(0.06, 0.16);
      const double h = s.n * s.d.range(0.15, 0.5) * (1.3 - 0.3 * row);
      Color wall = random_hsv(s.d, 0.0, 0.15, 0.05, 0.4, 0.25, 0.7);
      if (row == 0) wall = mix(wall, s.sky_low, 0.5);
      box(s.m, x, horizon - h, x + w, horizon + 1, wall);
      const int cols = std::max(1, static_cast<int>(w / (s.n * 0.03)));
      const double cell = w / cols;
      for (double y = horizon - h + cell * 0.6; row == 1 && y < horizon - cell; y += cell * 1.3) {
        for (int c = 0; c < cols; ++c) {
          const bool lit = s.d.chance(s.night ? 0.6 : 0.15);
          box(s.m, x + cell * (c + 0.25), y, x + cell * (c + 0.7), y + cell * 0.6,
              lit ? Color(250, 215, 120) : mix(wall, Color(30, 40, 60), 0.6));
        }
      }
      x += w + s.n * s.d.range(0.0, 0.03);
    }
  }
  vertical_gradient(s.m, static_cast<int>(horizon), s.m.rows, Color(90, 90, 95), Color(50, 50, 55));
}

void scene_still_life(Scene& s) {
  const double table = s.n * s.d.range(0.45, 0.65);
  const Color wall = random_hsv(s.d, 0, 1, 0.1, 0.4, 0.45, 0.85);
  const Color cloth = random_hsv(s.d, 0, 1, 0.2, 0.6, 0.3, 0.8);
  vertical_gradient(s.m, 0, static_cast<int>(table), wall * 0.8, wall);
  vertical_gradient(s.m, static_cast<int>(table), s.m.rows, cloth, cloth * 0.7);
  const int count = 2 + s.d.below(4);
  std::vector<std::array<double, 3>> objects(count);  // base y, x, radius; drawn back to front
  for (auto& o : objects)
    o = {table + (s.n - table) * s.d.range(0.2, 0.7), s.d.range(0.15, 0.85) * s.n,
         s.n * s.d.range(0.07, 0.15)};
  std::sort(objects.begin(), objects.end());
  const double lx = s.d.range(-1, 1);  // light from the left (-1) or right (+1)
  cv::Mat shadows = s.m.clone();
  for (const auto& [y, x, r] : objects) oval(shadows, x - lx * r * 0.8, y, r * 1.3, r * 0.3, {});
  blend(s.m, shadows, 0.35);
  for (const auto& [y, x, r] : objects) {
    const Color c = random_hsv(s.d, 0, 1, 0.3, 0.9, 0.5, 0.95);
    const Color light = mix(c, Color(255, 255, 255), 0.45), dark = c * 0.5;
    switch (s.d.below(4)) {
      case 0:  // sphere: discs shrinking towards the highlight give a smooth shading
        for (int k = 0; k < 8; ++k)
          disc(s.m, x + lx * r * 0.05 * k, y - r - r * 0.05 * k, r * (1 - 0.11 * k),
               mix(dark, light, k / 7.0));
        break;
      case 1:  // box seen slightly from above: front, top and the side away from the light
        box(s.m, x - r, y - 1.6 * r, x + r, y, c);
        fill(s.m, {pt(x - r, y - 1.6 * r), pt(x + r, y - 1.6 * r), pt(x + 0.6 * r, y - 2 * r),
                   pt(x - 1.4 * r, y - 2 * r)}, light);
        fill(s.m, {pt(x - r, y - 1.6 * r), pt(x - 1.4 * r, y - 2 * r), pt(x - 1.4 * r, y - 0.4 * r),
                   pt(x - r, y)}, dark);
        break;
      case 2:  // vase: body, neck and rim
        oval(s.m, x, y - r * 0.9, r * 0.8, r, c);
        box(s.m, x - r * 0.3, y - 2.4 * r, x + r * 0.3, y - r, mix(c, dark, 0.3));
        oval(s.m, x, y - 2.4 * r, r * 0.4, r * 0.12, light);
        break;
      default:  // cone with its base
        fill(s.m, {pt(x - r, y), pt(x + r, y), pt(x, y - 2.2 * r)}, c);
        fill(s.m, {pt(x, y - 2.2 * r), pt(x + lx * r, y), pt(x, y)}, lx > 0 ? light : dark);
        oval(s.m, x, y, r, r * 0.2, mix(c, dark, 0.5));
    }
  }
}

void scene_seascape(Scene& s) {
  const double horizon = s.n * s.d.range(0.35, 0.6);
  vertical_gradient(s.m, 0, static_cast<int>(horizon), s.sky_top, s.sky_low);
  if (s.d.chance(0.5)) clouds(s, horizon);
  if (s.d.chance(0.6))
    fill_ridge(s.m, jagged_ridge(s.d, horizon + s.n * 0.04, s.n * 0.1, 0.55), horizon,
               mix(s.sky_low, Color(60, 80, 110), 0.5));
  const Color sea_far = mix(s.sky_low, Color(40, 90, 140), 0.55), sea_near = sea_far * 0.45;
  vertical_gradient(s.m, static_cast<int>(horizon), s.m.rows, sea_far, sea_near);
  const double sun_x = s.d.range(0.15, 0.85) * s.n;
  if (s.d.chance(0.8)) {
    sky_body(s, horizon);
    cv::Mat glitter = s.m.clone();  // the sun's reflection: broken strokes below the horizon
    for (double y = horizon + 1; y < s.n; y += std::max(1.0, s.n * 0.02)) {
      const double w = s.n * s.d.range(0.01, 0.06) * (1 + (y - horizon) / s.n * 3);
      line(glitter, sun_x - w, y, sun_x + w, y, s.sky_low * 1.2, s.n / 128);
    }
    blend(s.m, glitter, 0.6);
  }
  // Wave crests, larger up close; fewer on small images, where each is at least a pixel wide.
  const int crests = static_cast<int>((20 + s.d.below(30)) * std::min(1.0, s.n / 128));
  for (int i = 0; i < crests; ++i) {
    const double depth = s.d.uniform(), y = horizon + (s.n - horizon) * depth * depth;
    const double w = s.n * 0.05 * (0.2 + depth), x = s.d.uniform() * s.n;
    line(s.m, x - w, y, x + w, y, mix(sea_far, Color(235, 240, 245), 0.5), s.n / 200 * (1 + depth));
  }
  if (s.d.chance(0.5)) {  // a sailing boat
    const double x = s.d.range(0.2, 0.8) * s.n, y = horizon + (s.n - horizon) * s.d.range(0.2, 0.6);
    const double r = s.n * s.d.range(0.04, 0.08);
    fill(s.m, {pt(x - r, y - r * 0.3), pt(x + r, y - r * 0.3), pt(x + r * 0.7, y),
               pt(x - r * 0.7, y)}, Color(90, 55, 35));
    fill(s.m, {pt(x, y - r * 0.4), pt(x, y - r * 1.8), pt(x + r * 0.8, y - r * 0.4)},
         Color(240, 235, 220));
  }
}

void scene_mountains(Scene& s) {
  vertical_gradient(s.m, 0, s.m.rows, s.sky_top, s.sky_low);
  if (s.d.chance(0.7)) sky_body(s, s.n * 0.4);
  const Color rock = jitter(s.d, Color(85, 90, 110), 20);
  const int layers = 3 + s.d.below(3);
  for (int k = 0; k < layers; ++k) {
    const double t = static_cast<double>(k) / (layers - 1);  // 0 far, 1 near
    const auto h = jagged_ridge(s.d, s.n * (0.4 + 0.45 * t), s.n * (0.2 - 0.12 * t), 0.55);
    const Color c = mix(mix(rock, s.ground_near, t * t), s.sky_low, 0.65 * (1 - t));
    fill_ridge(s.m, h, s.n + 1, c);
    if (k < 2 && s.d.chance(0.6)) {  // snow down to a line, thicker where the crest is higher
      const double snow = s.n * (0.4 + 0.1 * k);
      std::vector<cv::Point> p;
      for (size_t i = 0; i < h.size(); ++i) p.push_back(pt(i * s.n / (h.size() - 1), h[i]));
      for (size_t i = h.size(); i-- > 0;)
        p.push_back(pt(i * s.n / (h.size() - 1), h[i] + std::max(0.0, snow - h[i]) * 0.8));
      fill(s.m, p, mix(Color(245, 248, 252), c, 0.2));
    }
  }
}

void scene_geometric(Scene& s) {
  const double hue = s.d.uniform();
  const Color a = random_hsv(s.d, hue, hue, 0.1, 0.5, 0.3, 0.9);
  const Color b = random_hsv(s.d, hue + 0.05, hue + 0.5, 0.1, 0.5, 0.3, 0.9);
  linear_gradient(s.m, a, b, s.d.range(0, 2 * kPi));
  for (int i = 0, count = 3 + s.d.below(5); i < count; ++i) {
    const double x = s.d.uniform() * s.n, y = s.d.uniform() * s.n, r = s.n * s.d.range(0.08, 0.25);
    const Color c = random_hsv(s.d, 0, 1, 0.3, 0.9, 0.4, 1.0);
    const bool glass = s.d.chance(0.35);
    cv::Mat layer = glass ? s.m.clone() : s.m;
    const double angle = s.d.range(0, 180);
    std::vector<cv::Point2f> corners(4);
    cv::RotatedRect({static_cast<float>(x), static_cast<float>(y)},
                    {static_cast<float>(2 * r), static_cast<float>(r * s.d.range(0.5, 2))},
                    static_cast<float>(angle)).points(corners.data());
    std::vector<cv::Point> quad;
    for (const auto& q : corners) quad.push_back(pt(q.x, q.y));
    switch (s.d.below(4)) {
      case 0: disc(layer, x, y, r, c); break;
      case 1: fill(layer, quad, c); break;
      case 2: fill(layer, {quad[0], quad[1], quad[2]}, c); break;
      default:
        cv::circle(layer, pt(x, y), sub(r), c, std::max(1, cvRound(r * 0.3)), cv::LINE_AA, kShift);
    }
    if (glass) blend(s.m, layer, s.d.range(0.35, 0.7));
  }
}

// A directional light and a vignette (both separable sums of a column and a row term), then a
// colour cast: the large smooth intensity changes that photographs have.
void light_and_vignette(cv::Mat& m, Draw& d) {
  const int n = m.cols;
  const double angle = d.range(0, 2 * kPi), light = d.range(0.0, 0.4), vignette = d.range(0.0, 1.0);
  const float tint[3] = {static_cast<float>(d.range(0.92, 1.08)),
                         static_cast<float>(d.range(0.94, 1.06)),
                         static_cast<float>(d.range(0.92, 1.08))};
  std::vector<float> col(n), row(n);
  for (int i = 0; i < n; ++i) {
    const double u = (i + 0.5) / n - 0.5;
    col[i] = static_cast<float>(1.0 + light * std::cos(angle) * u - vignette * u * u);
    row[i] = static_cast<float>(light * std::sin(angle) * u - vignette * u * u);
  }
  for (int y = 0; y < n; ++y) {
    auto* p = m.ptr<uint8_t>(y);
    for (int x = 0; x < n; ++x, p += 3) {
      const float f = col[x] + row[y];
      for (int c = 0; c < 3; ++c) p[c] = cv::saturate_cast<uint8_t>(p[c] * f * tint[c]);
    }
  }
}

// ---- Style textures -------------------------------------------------------------------------

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
using SceneGenerator = void (*)(Scene&);
constexpr SceneGenerator kScenes[] = {scene_landscape, scene_city,      scene_still_life,
                                      scene_seascape,  scene_mountains, scene_geometric};

cv::Mat blank(int size) {
  if (size < 1) throw Error("synthetic image size must be positive, got " + std::to_string(size));
  return cv::Mat(size, size, CV_8UC3);
}

}  // namespace

cv::Mat draw_synthetic_content(uint64_t seed, int64_t index, int size) {
  cv::Mat m = blank(size);
  Draw d(mix_keys(seed, static_cast<uint64_t>(index), kContentStream));
  Scene scene = make_scene(m, d);
  kScenes[d.below(std::size(kScenes))](scene);
  light_and_vignette(m, d);
  return m;
}

cv::Mat draw_synthetic_style(uint64_t seed, int64_t index, int size) {
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
