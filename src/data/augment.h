// Training augmentation: crop position and horizontal flip drawn from keys (seed, epoch, global
// position), never from a stateful generator, so results do not depend on ranks or threads; and
// the uint8 HWC -> float CHW [0,1] conversion that applies them.
#pragma once

#include <cstdint>

#include "data/sharded_sampler.h"

namespace varstyle {

struct CropFlip {
  int64_t top = 0;
  int64_t left = 0;
  bool flip = false;
  bool grey = false;  // every channel holds the pixel's luma
  float contrast = 1.0f;  // each channel's deviations from its mean over the crop, scaled
  float hue = 0.0f;       // radians the colours turn about the grey axis (0: unchanged)
};

struct AugmentOptions {
  int64_t crop = 256;        // output side; at most the stored image side
  bool random_crop = true;   // false: centre crop
  bool hflip = true;
  double grey = 0.0;         // probability of a grey (luma-only) image
  double soft = 0.0;         // probability of a lowered contrast,
  double soft_floor = 0.25;  // by a factor uniform in [soft_floor, 1]
  double hue = 0.0;          // probability of colours turned by an angle uniform in [0, 2 pi)
};

CropFlip draw_crop_flip(uint64_t seed, const SampleKey& key, int64_t image_size,
                        const AugmentOptions& options);

// Writes the crop x crop window of `rgb` (image_size^2 x 3, HWC) as 3 x crop x crop floats in
// [0, 1] (value / 255), mirrored left-right when cf.flip, and with every channel set to the
// Rec. 601 luma 0.299 R + 0.587 G + 0.114 B when cf.grey; then, when cf.contrast < 1, each
// channel is mean + cf.contrast * (value - mean), its mean taken over the crop (so the image's
// mean colour stays and every value stays in [0, 1]). Between the two, when cf.hue != 0, every
// pixel's colour is turned by that angle about the grey axis (R = G = B), clamped to [0, 1]:
// greys stay, and so does each pixel's channel mean wherever no value is clamped.
void crop_flip_to_chw(const uint8_t* rgb, int64_t image_size, const CropFlip& cf, int64_t crop,
                      float* chw);

}  // namespace varstyle
