// Keyed crop/flip draws and the uint8 HWC -> float CHW conversion.
#include "data/augment.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "core/hash.h"

namespace varstyle {

namespace {

constexpr double kPi = 3.14159265358979323846;

// Rodrigues' rotation by `angle` about the unit grey axis k = (1, 1, 1) / sqrt 3:
// R = cos I + (1 - cos) k k^T + sin [k]x. Its rows and columns sum to 1, so greys stay grey
// and a colour's channel mean stays; values leaving [0, 1] are clamped.
void turn_hue(float* red, float* green, float* blue, int64_t plane, float angle) {
  const double c = std::cos(angle), s = std::sin(angle) / std::sqrt(3.0), k = (1.0 - c) / 3.0;
  const float same = static_cast<float>(c + k), ahead = static_cast<float>(k - s), behind = static_cast<float>(k + s);
  for (int64_t i = 0; i < plane; ++i) {
    const float r = red[i], g = green[i], b = blue[i];
    red[i] = std::clamp(same * r + ahead * g + behind * b, 0.0f, 1.0f);
    green[i] = std::clamp(behind * r + same * g + ahead * b, 0.0f, 1.0f);
    blue[i] = std::clamp(ahead * r + behind * g + same * b, 0.0f, 1.0f);
  }
}

}  // namespace

CropFlip draw_crop_flip(uint64_t seed, const SampleKey& key, int64_t image_size,
                        const AugmentOptions& options) {
  CropFlip cf;
  const int64_t slack = image_size - options.crop;
  const uint64_t bits = mix_keys(seed, static_cast<uint64_t>(key.epoch),
                                 static_cast<uint64_t>(key.position), 0xA06ULL);
  if (slack > 0) {
    if (options.random_crop) {
      cf.top = static_cast<int64_t>((bits & 0xFFFFFF) % static_cast<uint64_t>(slack + 1));
      cf.left = static_cast<int64_t>(((bits >> 24) & 0xFFFFFF) % static_cast<uint64_t>(slack + 1));
    } else {
      cf.top = cf.left = slack / 2;
    }
  }
  cf.flip = options.hflip && ((bits >> 63) & 1U);
  if (options.grey > 0.0) {
    // Its own draw: turning the option on leaves every crop and flip as it was.
    const uint64_t grey_bits = mix_keys(seed, static_cast<uint64_t>(key.epoch),
                                        static_cast<uint64_t>(key.position), 0x64E7ULL);
    cf.grey = static_cast<double>(grey_bits >> 11) * 0x1.0p-53 < options.grey;
  }
  if (options.soft > 0.0) {
    // Its own draw as well: bits 11-63 decide whether (as for grey), bits 0-23 by how much.
    // They share bits 11-23, which move the first draw by less than 2^-40: independent in practice.
    const uint64_t soft_bits = mix_keys(seed, static_cast<uint64_t>(key.epoch),
                                        static_cast<uint64_t>(key.position), 0x50F7ULL);
    if (static_cast<double>(soft_bits >> 11) * 0x1.0p-53 < options.soft) {
      const double u = static_cast<double>(soft_bits & 0xFFFFFFULL) * 0x1.0p-24;
      cf.contrast = static_cast<float>(options.soft_floor + (1.0 - options.soft_floor) * u);
    }
  }
  if (options.hue > 0.0) {
    // Its own draw, split as the soft one's: bits 11-63 whether, bits 0-23 the angle.
    const uint64_t hue_bits = mix_keys(seed, static_cast<uint64_t>(key.epoch),
                                       static_cast<uint64_t>(key.position), 0x4E7EULL);
    if (static_cast<double>(hue_bits >> 11) * 0x1.0p-53 < options.hue)
      cf.hue = static_cast<float>(2.0 * kPi * static_cast<double>(hue_bits & 0xFFFFFFULL) * 0x1.0p-24);
  }
  return cf;
}

void crop_flip_to_chw(const uint8_t* rgb, int64_t image_size, const CropFlip& cf, int64_t crop,
                      float* chw) {
  // A 256-entry table turns the division into a load; the loops run row by row so that the
  // compiler vectorises the de-interleave.
  static const std::array<float, 256> kScale = [] {
    std::array<float, 256> table{};
    for (int i = 0; i < 256; ++i) table[static_cast<size_t>(i)] = static_cast<float>(i) / 255.0f;
    return table;
  }();
  const int64_t plane = crop * crop;
  float* red = chw;
  float* green = chw + plane;
  float* blue = chw + 2 * plane;
  for (int64_t y = 0; y < crop; ++y) {
    const uint8_t* row = rgb + ((cf.top + y) * image_size + cf.left) * 3;
    const int64_t out = y * crop;
    if (cf.flip) {
      for (int64_t x = 0; x < crop; ++x) {
        const uint8_t* pixel = row + (crop - 1 - x) * 3;
        red[out + x] = kScale[pixel[0]];
        green[out + x] = kScale[pixel[1]];
        blue[out + x] = kScale[pixel[2]];
      }
    } else {
      for (int64_t x = 0; x < crop; ++x) {
        const uint8_t* pixel = row + x * 3;
        red[out + x] = kScale[pixel[0]];
        green[out + x] = kScale[pixel[1]];
        blue[out + x] = kScale[pixel[2]];
      }
    }
    if (cf.grey) {
      for (int64_t x = 0; x < crop; ++x) {
        const float luma = 0.299f * red[out + x] + 0.587f * green[out + x] + 0.114f * blue[out + x];
        red[out + x] = green[out + x] = blue[out + x] = luma;
      }
    }
  }
  if (cf.hue != 0.0f) turn_hue(red, green, blue, plane, cf.hue);
  if (cf.contrast < 1.0f) {
    for (float* channel : {red, green, blue}) {
      double sum = 0.0;
      for (int64_t i = 0; i < plane; ++i) sum += channel[i];
      const float mean = static_cast<float>(sum / static_cast<double>(plane));
      for (int64_t i = 0; i < plane; ++i) channel[i] = mean + cf.contrast * (channel[i] - mean);
    }
  }
}

}  // namespace varstyle
