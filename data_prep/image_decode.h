// Decoding one image file into a size x size RGB square: format sniffing, header checks (too
// small, decompression bombs), JPEG decoding with libjpeg-turbo at reduced scale and truncation
// detection, other formats through OpenCV, then short-side area reduction and centre crop.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include <opencv2/core.hpp>

#include "data/image_files.h"

namespace varstyle {

// Files larger than this are skipped unread (no image varstyle-prep converts comes near it).
inline constexpr int64_t kMaxImageFileBytes = int64_t{1} << 30;

struct DecodeOptions {
  int size = 256;                       // output side
  int min_side = 64;                    // shorter side below this: skipped
  int64_t max_pixels = 100'000'000;     // width x height above this: skipped (bomb guard)
};

struct DecodedImage {
  cv::Mat rgb;          // size x size CV_8UC3, RGB order; empty when skipped
  std::string reason;   // why it was skipped ("truncated JPEG: ...")
  bool ok() const { return reason.empty(); }
};

// Never throws for a bad file: problems come back in `reason`. Anything but a regular file (a
// FIFO, a device, also behind a link) is skipped without being opened for reading.
DecodedImage decode_square_image(const std::filesystem::path& path, const DecodeOptions& options);
DecodedImage decode_square_image_bytes(const std::string& bytes, const DecodeOptions& options);

// Why a width x height image is skipped (invalid, over max_pixels, shorter side below min_side),
// or "" to decode it. Run on header values, before the pixels are decoded.
std::string check_dimensions(int64_t width, int64_t height, const DecodeOptions& options);

// Converts any decoded OpenCV matrix (8/16-bit or float; 1, 2, 3 or 4 channels, BGR order) to
// 8-bit RGB; alpha is composited over white. Empty on an unsupported layout.
cv::Mat to_rgb8(const cv::Mat& decoded);

// The geometry of varstyle-prep's square: the image resized so that its shorter side is `size`
// (the longer one rounded), and the centred size x size window of that.
struct SquareWindow {
  cv::Size resized;
  cv::Rect window;
  bool reduces(cv::Size source) const { return resized.width <= source.width && resized.height <= source.height; }
};
SquareWindow square_window(cv::Size source, int size);

// Short side to `size` with area filtering, then the centred size x size window; only the
// window is computed when reducing (area_reduce_window).
cv::Mat resize_and_center_crop(const cv::Mat& rgb, int size);

}  // namespace varstyle
