// Synthetic content images: procedural scenes (landscape, city, still life, seascape, mountains,
// geometric) over a random sky and ground, then lighting, vignette and a colour cast.
#include "synthetic_images.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "core/hash.h"
#include "synthetic_draw.h"

namespace varstyle::synthetic {
namespace {

constexpr uint64_t kContentStream = 0xC0DE'C047ULL;

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

// What every scene draws on: the image, its draws, and the sky and ground colours it picked.
struct Scene {
  cv::Mat& image;
  Draw& draw;
  double side;                    // in pixels
  Color sky_top, sky_low;         // sky gradient, zenith to horizon
  Color ground_far, ground_near;  // at the horizon and at the bottom edge
  bool night;
};

// Heights (pixels) at evenly spaced x: rolling sines, or midpoint displacement for crests.
std::vector<double> rolling_ridge(Draw& draw, double base, double amplitude) {
  double f[3], phase[3], a[3];
  for (int k = 0; k < 3; ++k)
    f[k] = draw.range(0.5, 2.5) * (k + 1), phase[k] = draw.range(0, 2 * kPi), a[k] = amplitude / (k + 1);
  std::vector<double> h(65);
  for (size_t i = 0; i < h.size(); ++i) {
    const double x = static_cast<double>(i) / (h.size() - 1);
    h[i] = base;
    for (int k = 0; k < 3; ++k) h[i] -= a[k] * std::sin(2 * kPi * f[k] * x + phase[k]);
  }
  return h;
}
std::vector<double> jagged_ridge(Draw& draw, double base, double amplitude, double roughness) {
  std::vector<double> h(65);
  h.front() = base + draw.range(-amplitude, amplitude);
  h.back() = base + draw.range(-amplitude, amplitude);
  double spread = amplitude;
  for (size_t step = h.size() - 1; step > 1; step /= 2, spread *= roughness)
    for (size_t i = step / 2; i < h.size(); i += step)
      h[i] = (h[i - step / 2] + h[i + step / 2]) / 2 + draw.range(-spread, spread);
  return h;
}
double height_at(const std::vector<double>& h, double x, double side) {
  const double i = std::clamp(x / side, 0.0, 1.0) * (h.size() - 1);
  return h[static_cast<size_t>(std::lround(i))];
}
// Fills between the ridge and `bottom`; the ridge is clamped so the polygon never self-crosses.
void fill_ridge(cv::Mat& image, const std::vector<double>& h, double bottom, const Color& c) {
  const double side = image.cols;
  std::vector<cv::Point> points;
  for (size_t i = 0; i < h.size(); ++i)
    points.push_back(pt(i * (side + 2) / (h.size() - 1) - 1, std::min(h[i], bottom)));
  points.push_back(pt(side + 1, bottom));
  points.push_back(pt(-1, bottom));
  fill(image, points, c);
}

Scene make_scene(cv::Mat& image, Draw& draw) {
  const int sky = draw.below(std::size(kSkies)), ground = draw.below(std::size(kGrounds));
  return Scene{image, draw, static_cast<double>(image.cols), jitter(draw, rgb(kSkies[sky][0]), 15),
               jitter(draw, rgb(kSkies[sky][1]), 15), jitter(draw, rgb(kGrounds[ground][0]), 15),
               jitter(draw, rgb(kGrounds[ground][1]), 15), sky == kNightSky};
}

// Sun or moon with a soft halo; at night the sky above also gets stars.
void sky_body(Scene& s, double horizon) {
  const double x = s.draw.range(0.1, 0.9) * s.side, y = s.draw.range(0.12, 0.75) * horizon;
  const double r = std::max(2.2, s.side * s.draw.range(0.035, 0.08));  // tinier AA discs read as "+"
  if (s.night) {
    for (int i = 0, count = 10 + s.draw.below(40); i < count; ++i) {
      const double sx = s.draw.uniform() * s.side, sy = s.draw.uniform() * horizon;
      disc(s.image, sx, sy, std::max(0.5, s.draw.range(0.4, 1.0) * s.side / 256), Color(230, 230, 210));
    }
  }
  const Color body = s.night ? Color(235, 235, 215) : mix(Color(255, 248, 215), s.sky_low, 0.25);
  cv::Mat halo = s.image.clone();
  for (int k = 0; k < 4; ++k)  // rings brightening inwards: a soft halo without a blur pass
    disc(halo, x, y, r * (3.0 - 0.5 * k), mix(s.sky_low, body, 0.3 + 0.2 * k));
  blend(s.image, halo, 0.3);
  disc(s.image, x, y, r, body);
}

void clouds(Scene& s, double bottom) {
  cv::Mat layer = s.image.clone();
  const Color white = s.night ? Color(60, 65, 90) : mix(Color(252, 252, 255), s.sky_low, 0.2);
  for (int i = 0, count = 1 + s.draw.below(4); i < count; ++i) {
    const double x = s.draw.uniform() * s.side, y = s.draw.range(0.1, 0.8) * bottom;
    const double w = s.side * s.draw.range(0.06, 0.16);
    for (int k = 0; k < 5; ++k) {
      const double dx = w * s.draw.range(-1, 1), dy = w * s.draw.range(-0.2, 0.1);
      const double rx = w * s.draw.range(0.4, 0.8), ry = w * s.draw.range(0.15, 0.35);
      oval(layer, x + dx, y + dy, rx, ry, white);
    }
  }
  blend(s.image, layer, s.draw.range(0.55, 0.9));
}

void tree(Scene& s, double x, double y, double h) {
  const Color leaf = jitter(s.draw, mix(Color(40, 95, 35), s.ground_far, 0.3), 20);
  line(s.image, x, y, x, y - h * 0.5, jitter(s.draw, Color(85, 60, 40), 12), h * 0.07);
  if (s.draw.chance(0.5)) {
    for (int k = 0; k < 3; ++k) {  // conifer: stacked triangles
      const double top = y - h * (0.55 + 0.16 * k), w = h * (0.3 - 0.07 * k);
      fill(s.image, {pt(x - w, top + h * 0.28), pt(x + w, top + h * 0.28), pt(x, top - h * 0.15)},
           mix(leaf, Color(0, 0, 0), 0.1 * (2 - k)));
    }
  } else {
    disc(s.image, x, y - h * 0.62, h * 0.3, leaf * 0.8);
    disc(s.image, x - h * 0.08, y - h * 0.7, h * 0.22, leaf);
  }
}

void scene_landscape(Scene& s) {
  const double horizon = s.side * s.draw.range(0.4, 0.65);
  vertical_gradient(s.image, 0, s.image.rows, s.sky_top, s.sky_low);
  if (s.draw.chance(0.8)) sky_body(s, horizon);
  if (s.draw.chance(0.6)) clouds(s, horizon);
  const int layers = 2 + s.draw.below(3);
  for (int k = 0; k < layers; ++k) {
    const double t = static_cast<double>(k) / (layers - 1);  // 0 far, 1 near
    const auto h = rolling_ridge(s.draw, horizon + (s.side - horizon) * t * 0.55,
                                 s.side * s.draw.range(0.02, 0.08) * (1.0 - 0.5 * t));
    const Color ground = mix(s.ground_far, s.ground_near, t);
    fill_ridge(s.image, h, s.side + 1, mix(ground, s.sky_low, 0.45 * (1.0 - t)));  // haze far away
    for (int i = 0, count = s.draw.below(5); i < count; ++i) {
      const double x = s.draw.uniform() * s.side;
      tree(s, x, height_at(h, x, s.side) + s.side * 0.02, s.side * s.draw.range(0.07, 0.16) * (0.6 + t));
    }
  }
}

void scene_city(Scene& s) {
  const double horizon = s.side * s.draw.range(0.65, 0.85);
  vertical_gradient(s.image, 0, s.image.rows, s.sky_top, s.sky_low);
  if (s.draw.chance(0.6)) sky_body(s, horizon * 0.6);
  for (int row = 0; row < 2; ++row) {  // a hazy far row, then the near row with windows
    for (double x = -s.side * s.draw.range(0, 0.1); x < s.side;) {
      const double w = s.side * s.draw.range(0.06, 0.16);
      const double h = s.side * s.draw.range(0.15, 0.5) * (1.3 - 0.3 * row);
      Color wall = random_hsv(s.draw, 0.0, 0.15, 0.05, 0.4, 0.25, 0.7);
      if (row == 0) wall = mix(wall, s.sky_low, 0.5);
      box(s.image, x, horizon - h, x + w, horizon + 1, wall);
      const int cols = std::max(1, static_cast<int>(w / (s.side * 0.03)));
      const double cell = w / cols;
      for (double y = horizon - h + cell * 0.6; row == 1 && y < horizon - cell; y += cell * 1.3) {
        for (int c = 0; c < cols; ++c) {
          const bool lit = s.draw.chance(s.night ? 0.6 : 0.15);
          box(s.image, x + cell * (c + 0.25), y, x + cell * (c + 0.7), y + cell * 0.6,
              lit ? Color(250, 215, 120) : mix(wall, Color(30, 40, 60), 0.6));
        }
      }
      x += w + s.side * s.draw.range(0.0, 0.03);
    }
  }
  vertical_gradient(s.image, static_cast<int>(horizon), s.image.rows, Color(90, 90, 95), Color(50, 50, 55));
}

void scene_still_life(Scene& s) {
  const double table = s.side * s.draw.range(0.45, 0.65);
  const Color wall = random_hsv(s.draw, 0, 1, 0.1, 0.4, 0.45, 0.85);
  const Color cloth = random_hsv(s.draw, 0, 1, 0.2, 0.6, 0.3, 0.8);
  vertical_gradient(s.image, 0, static_cast<int>(table), wall * 0.8, wall);
  vertical_gradient(s.image, static_cast<int>(table), s.image.rows, cloth, cloth * 0.7);
  const int count = 2 + s.draw.below(4);
  std::vector<std::array<double, 3>> objects(count);  // base y, x, radius; drawn back to front
  for (auto& o : objects)
    o = {table + (s.side - table) * s.draw.range(0.2, 0.7), s.draw.range(0.15, 0.85) * s.side,
         s.side * s.draw.range(0.07, 0.15)};
  std::sort(objects.begin(), objects.end());
  const double lx = s.draw.range(-1, 1);  // light from the left (-1) or right (+1)
  cv::Mat shadows = s.image.clone();
  for (const auto& [y, x, r] : objects) oval(shadows, x - lx * r * 0.8, y, r * 1.3, r * 0.3, {});
  blend(s.image, shadows, 0.35);
  for (const auto& [y, x, r] : objects) {
    const Color c = random_hsv(s.draw, 0, 1, 0.3, 0.9, 0.5, 0.95);
    const Color light = mix(c, Color(255, 255, 255), 0.45), dark = c * 0.5;
    switch (s.draw.below(4)) {
      case 0:  // sphere: discs shrinking towards the highlight give a smooth shading
        for (int k = 0; k < 8; ++k)
          disc(s.image, x + lx * r * 0.05 * k, y - r - r * 0.05 * k, r * (1 - 0.11 * k),
               mix(dark, light, k / 7.0));
        break;
      case 1:  // box seen slightly from above: front, top and the side away from the light
        box(s.image, x - r, y - 1.6 * r, x + r, y, c);
        fill(s.image, {pt(x - r, y - 1.6 * r), pt(x + r, y - 1.6 * r), pt(x + 0.6 * r, y - 2 * r),
                   pt(x - 1.4 * r, y - 2 * r)}, light);
        fill(s.image, {pt(x - r, y - 1.6 * r), pt(x - 1.4 * r, y - 2 * r), pt(x - 1.4 * r, y - 0.4 * r),
                   pt(x - r, y)}, dark);
        break;
      case 2:  // vase: body, neck and rim
        oval(s.image, x, y - r * 0.9, r * 0.8, r, c);
        box(s.image, x - r * 0.3, y - 2.4 * r, x + r * 0.3, y - r, mix(c, dark, 0.3));
        oval(s.image, x, y - 2.4 * r, r * 0.4, r * 0.12, light);
        break;
      default:  // cone with its base
        fill(s.image, {pt(x - r, y), pt(x + r, y), pt(x, y - 2.2 * r)}, c);
        fill(s.image, {pt(x, y - 2.2 * r), pt(x + lx * r, y), pt(x, y)}, lx > 0 ? light : dark);
        oval(s.image, x, y, r, r * 0.2, mix(c, dark, 0.5));
    }
  }
}

void scene_seascape(Scene& s) {
  const double horizon = s.side * s.draw.range(0.35, 0.6);
  vertical_gradient(s.image, 0, static_cast<int>(horizon), s.sky_top, s.sky_low);
  if (s.draw.chance(0.5)) clouds(s, horizon);
  if (s.draw.chance(0.6))
    fill_ridge(s.image, jagged_ridge(s.draw, horizon + s.side * 0.04, s.side * 0.1, 0.55), horizon,
               mix(s.sky_low, Color(60, 80, 110), 0.5));
  const Color sea_far = mix(s.sky_low, Color(40, 90, 140), 0.55), sea_near = sea_far * 0.45;
  vertical_gradient(s.image, static_cast<int>(horizon), s.image.rows, sea_far, sea_near);
  const double sun_x = s.draw.range(0.15, 0.85) * s.side;
  if (s.draw.chance(0.8)) {
    sky_body(s, horizon);
    cv::Mat glitter = s.image.clone();  // the sun's reflection: broken strokes below the horizon
    for (double y = horizon + 1; y < s.side; y += std::max(1.0, s.side * 0.02)) {
      const double w = s.side * s.draw.range(0.01, 0.06) * (1 + (y - horizon) / s.side * 3);
      line(glitter, sun_x - w, y, sun_x + w, y, s.sky_low * 1.2, s.side / 128);
    }
    blend(s.image, glitter, 0.6);
  }
  // Wave crests, larger up close; fewer on small images, where each is at least a pixel wide.
  const int crests = static_cast<int>((20 + s.draw.below(30)) * std::min(1.0, s.side / 128));
  for (int i = 0; i < crests; ++i) {
    const double depth = s.draw.uniform(), y = horizon + (s.side - horizon) * depth * depth;
    const double w = s.side * 0.05 * (0.2 + depth), x = s.draw.uniform() * s.side;
    line(s.image, x - w, y, x + w, y, mix(sea_far, Color(235, 240, 245), 0.5), s.side / 200 * (1 + depth));
  }
  if (s.draw.chance(0.5)) {  // a sailing boat
    const double x = s.draw.range(0.2, 0.8) * s.side, y = horizon + (s.side - horizon) * s.draw.range(0.2, 0.6);
    const double r = s.side * s.draw.range(0.04, 0.08);
    fill(s.image, {pt(x - r, y - r * 0.3), pt(x + r, y - r * 0.3), pt(x + r * 0.7, y),
               pt(x - r * 0.7, y)}, Color(90, 55, 35));
    fill(s.image, {pt(x, y - r * 0.4), pt(x, y - r * 1.8), pt(x + r * 0.8, y - r * 0.4)},
         Color(240, 235, 220));
  }
}

void scene_mountains(Scene& s) {
  vertical_gradient(s.image, 0, s.image.rows, s.sky_top, s.sky_low);
  if (s.draw.chance(0.7)) sky_body(s, s.side * 0.4);
  const Color rock = jitter(s.draw, Color(85, 90, 110), 20);
  const int layers = 3 + s.draw.below(3);
  for (int k = 0; k < layers; ++k) {
    const double t = static_cast<double>(k) / (layers - 1);  // 0 far, 1 near
    const auto h = jagged_ridge(s.draw, s.side * (0.4 + 0.45 * t), s.side * (0.2 - 0.12 * t), 0.55);
    const Color c = mix(mix(rock, s.ground_near, t * t), s.sky_low, 0.65 * (1 - t));
    fill_ridge(s.image, h, s.side + 1, c);
    if (k < 2 && s.draw.chance(0.6)) {  // snow down to a line, thicker where the crest is higher
      const double snow = s.side * (0.4 + 0.1 * k);
      std::vector<cv::Point> points;
      for (size_t i = 0; i < h.size(); ++i) points.push_back(pt(i * s.side / (h.size() - 1), h[i]));
      for (size_t i = h.size(); i-- > 0;)
        points.push_back(pt(i * s.side / (h.size() - 1), h[i] + std::max(0.0, snow - h[i]) * 0.8));
      fill(s.image, points, mix(Color(245, 248, 252), c, 0.2));
    }
  }
}

void scene_geometric(Scene& s) {
  const double hue = s.draw.uniform();
  const Color a = random_hsv(s.draw, hue, hue, 0.1, 0.5, 0.3, 0.9);
  const Color b = random_hsv(s.draw, hue + 0.05, hue + 0.5, 0.1, 0.5, 0.3, 0.9);
  linear_gradient(s.image, a, b, s.draw.range(0, 2 * kPi));
  for (int i = 0, count = 3 + s.draw.below(5); i < count; ++i) {
    const double x = s.draw.uniform() * s.side, y = s.draw.uniform() * s.side, r = s.side * s.draw.range(0.08, 0.25);
    const Color c = random_hsv(s.draw, 0, 1, 0.3, 0.9, 0.4, 1.0);
    const bool glass = s.draw.chance(0.35);
    cv::Mat layer = glass ? s.image.clone() : s.image;
    const double angle = s.draw.range(0, 180);
    std::vector<cv::Point2f> corners(4);
    cv::RotatedRect({static_cast<float>(x), static_cast<float>(y)},
                    {static_cast<float>(2 * r), static_cast<float>(r * s.draw.range(0.5, 2))},
                    static_cast<float>(angle)).points(corners.data());
    std::vector<cv::Point> quad;
    for (const auto& q : corners) quad.push_back(pt(q.x, q.y));
    switch (s.draw.below(4)) {
      case 0: disc(layer, x, y, r, c); break;
      case 1: fill(layer, quad, c); break;
      case 2: fill(layer, {quad[0], quad[1], quad[2]}, c); break;
      default:
        cv::circle(layer, pt(x, y), sub(r), c, std::max(1, cvRound(r * 0.3)), cv::LINE_AA, kShift);
    }
    if (glass) blend(s.image, layer, s.draw.range(0.35, 0.7));
  }
}

// A directional light and a vignette (both separable sums of a column and a row term), then a
// colour cast: the large smooth intensity changes that photographs have.
void light_and_vignette(cv::Mat& image, Draw& draw) {
  const int side = image.cols;
  const double angle = draw.range(0, 2 * kPi), light = draw.range(0.0, 0.4), vignette = draw.range(0.0, 1.0);
  const float tint[3] = {static_cast<float>(draw.range(0.92, 1.08)),
                         static_cast<float>(draw.range(0.94, 1.06)),
                         static_cast<float>(draw.range(0.92, 1.08))};
  std::vector<float> col(side), row(side);
  for (int i = 0; i < side; ++i) {
    const double u = (i + 0.5) / side - 0.5;
    col[i] = static_cast<float>(1.0 + light * std::cos(angle) * u - vignette * u * u);
    row[i] = static_cast<float>(light * std::sin(angle) * u - vignette * u * u);
  }
  for (int y = 0; y < side; ++y) {
    auto* p = image.ptr<uint8_t>(y);
    for (int x = 0; x < side; ++x, p += 3) {
      const float f = col[x] + row[y];
      for (int c = 0; c < 3; ++c) p[c] = cv::saturate_cast<uint8_t>(p[c] * f * tint[c]);
    }
  }
}

using SceneGenerator = void (*)(Scene&);
constexpr SceneGenerator kScenes[] = {scene_landscape, scene_city,      scene_still_life,
                                      scene_seascape,  scene_mountains, scene_geometric};

}  // namespace
}  // namespace varstyle::synthetic

namespace varstyle {

cv::Mat draw_synthetic_content(uint64_t seed, int64_t index, int size) {
  using namespace synthetic;
  cv::Mat image = blank(size);
  Draw draw(mix_keys(seed, static_cast<uint64_t>(index), kContentStream));
  Scene scene = make_scene(image, draw);
  kScenes[draw.below(std::size(kScenes))](scene);
  light_and_vignette(image, draw);
  return image;
}

}  // namespace varstyle
