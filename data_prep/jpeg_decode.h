// JPEG decoding for varstyle-prep with libjpeg-turbo: the IDCT scaled to the smallest M/8 that
// keeps the shorter side at least the target, only the pixels the centred square needs
// converted, truncation surfaced as an error, CMYK converted.
#pragma once

#include <string>

#include "image_decode.h"

namespace varstyle {

// The M/8 IDCT scales decoding uses. libjpeg-turbo decodes at every M from 1 to 8, but only
// 1/8, 2/8, 4/8 and 8/8 have SIMD IDCTs; the others are scalar C and cost more than the next
// larger power of two (whole decode of the camera-sized bench set, per image: 3/8 2.5 ms vs
// 4/8 2.1 ms; 5/8 to 7/8 3.5 to 5.1 ms vs 8/8 2.6 ms; RESULTS.md).
inline constexpr int kJpegScalesEighths[] = {1, 2, 4, 8};

// The M of the M/8 IDCT scale for a width x height JPEG: the smallest in kJpegScalesEighths
// whose shorter side, ceil(side * M / 8) as libjpeg-turbo computes it, is still at least `size`;
// 8 when even the full image is smaller.
int jpeg_scale_eighths(int width, int height, int size);

// The size x size square of a JPEG file's bytes; problems come back in `reason`.
DecodedImage decode_jpeg(const std::string& bytes, const DecodeOptions& options);

}  // namespace varstyle
