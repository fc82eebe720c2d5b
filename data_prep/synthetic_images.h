// Procedural training images for runs without an image corpus: content scenes and style textures,
// each a pure function of (seed, index, size).
#pragma once

#include <cstdint>

#include <opencv2/core.hpp>

namespace varstyle {

// Content images: procedural scenes (sky/ground horizons, hills, sun or moon, buildings, trees,
// geometric objects, gradients, lighting/vignette), deterministic in (seed, index).
// Returns a size x size CV_8UC3 image in RGB channel order; throws Error when size < 1.
cv::Mat draw_synthetic_content(uint64_t seed, int64_t index, int size);

// Style images: procedural textures (brush strokes, stripes, dots, noise, waves, cross-hatching,
// mosaic, in varied palettes), deterministic in (seed, index).
// Returns a size x size CV_8UC3 image in RGB channel order; throws Error when size < 1.
cv::Mat draw_synthetic_style(uint64_t seed, int64_t index, int size);

}  // namespace varstyle
