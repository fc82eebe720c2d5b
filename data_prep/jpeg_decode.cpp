// JPEG decoding with libjpeg-turbo. Decoding at M/8 scale does the first, largest part of the
// reduction inside the IDCT (fewer samples through the IDCT, colour conversion and the area
// filter), leaving the area filter a factor below 2; and only the rows and columns the centred
// square needs are converted past the entropy decoder.
#include "jpeg_decode.h"

#include <algorithm>
#include <csetjmp>
#include <cstdio>

// jpeglib.h needs size_t and FILE declared first.
#include <jerror.h>
#include <jpeglib.h>

#include <fmt/format.h>

#include "image/area_reduce.h"

namespace varstyle {
namespace {

struct JpegErrorManager {
  jpeg_error_mgr base;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
  bool truncated;
};

void jpeg_fail(j_common_ptr cinfo) {
  auto* manager = reinterpret_cast<JpegErrorManager*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, manager->message);
  std::longjmp(manager->jump, 1);
}

void jpeg_message(j_common_ptr cinfo, int level) {
  // Level -1 is a warning. libjpeg reports truncated or damaged entropy data only as warnings
  // (and fills the rest grey), so these two become errors; other warnings are harmless.
  if (level != -1) return;
  const int code = cinfo->err->msg_code;
  if (code == JWRN_JPEG_EOF || code == JWRN_HIT_MARKER) {
    auto* manager = reinterpret_cast<JpegErrorManager*>(cinfo->err);
    if (!manager->truncated) (*cinfo->err->format_message)(cinfo, manager->message);
    manager->truncated = true;
  }
}

cv::Mat cmyk_to_rgb(const cv::Mat& cmyk, bool adobe_inverted) {
  cv::Mat rgb(cmyk.rows, cmyk.cols, CV_8UC3);
  for (int y = 0; y < cmyk.rows; ++y) {
    const unsigned char* in = cmyk.ptr<unsigned char>(y);
    unsigned char* out = rgb.ptr<unsigned char>(y);
    for (int x = 0; x < cmyk.cols; ++x, in += 4, out += 3) {
      // Adobe writes CMYK inverted; then R = C'K'/255, otherwise R = (255-C)(255-K)/255.
      const int k = adobe_inverted ? in[3] : 255 - in[3];
      for (int c = 0; c < 3; ++c) {
        const int value = adobe_inverted ? in[c] : 255 - in[c];
        out[c] = static_cast<unsigned char>((value * k + 127) / 255);
      }
    }
  }
  return rgb;
}

// The decoded pixels the square's area reduction reads: IDCT, upsampling and colour conversion
// are spent on those only (jpeg_crop_scanline, jpeg_skip_scanlines).
cv::Rect needed_pixels(cv::Size decoded, int size) {
  const cv::Rect whole(cv::Point(0, 0), decoded);
  const SquareWindow square = square_window(decoded, size);
  if (!square.reduces(decoded)) return whole;
  // Two spare columns a side: fancy chroma upsampling treats a cropped region's first and last
  // columns as image edges, so those may differ from a whole decode.
  constexpr int kSpareColumns = 2;
  const cv::Rect needed = area_source_rect(decoded, square.resized, square.window);
  return cv::Rect(needed.x - kSpareColumns, needed.y, needed.width + 2 * kSpareColumns, needed.height) & whole;
}

}  // namespace

int jpeg_scale_eighths(int width, int height, int size) {
  const int64_t shorter = std::min(width, height);
  for (int eighths : kJpegScalesEighths)
    if ((shorter * eighths + 7) / 8 >= size) return eighths;
  return 8;
}

// The objects with destructors are created before setjmp (those after it are trivially
// destructible), so a longjmp out of libjpeg skips no destructor.
DecodedImage decode_jpeg(const std::string& bytes, const DecodeOptions& options) {
  DecodedImage result;
  cv::Mat decoded;
  jpeg_decompress_struct cinfo{};
  JpegErrorManager errors{};
  cinfo.err = jpeg_std_error(&errors.base);
  errors.base.error_exit = jpeg_fail;
  errors.base.emit_message = jpeg_message;
  if (setjmp(errors.jump)) {
    jpeg_destroy_decompress(&cinfo);
    result.reason = fmt::format("corrupt JPEG: {}", errors.message);
    return result;
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, reinterpret_cast<const unsigned char*>(bytes.data()),
               static_cast<unsigned long>(bytes.size()));
  jpeg_read_header(&cinfo, TRUE);
  result.reason = check_dimensions(cinfo.image_width, cinfo.image_height, options);
  if (!result.reason.empty()) {
    jpeg_destroy_decompress(&cinfo);
    return result;
  }
  const bool cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
  cinfo.out_color_space = cmyk ? JCS_CMYK : JCS_RGB;
  // libjpeg's sides are at most JPEG_MAX_DIMENSION (65500), so int holds them.
  cinfo.scale_num = static_cast<unsigned>(jpeg_scale_eighths(static_cast<int>(cinfo.image_width),
                                                             static_cast<int>(cinfo.image_height), options.size));
  cinfo.scale_denom = 8;
  jpeg_start_decompress(&cinfo);
  const int height = static_cast<int>(cinfo.output_height);
  const cv::Rect needed = needed_pixels(cv::Size(static_cast<int>(cinfo.output_width), height), options.size);
  // Pixels outside `needed` are never written. The reduction never reads them; the CMYK
  // conversion does, so there they are zeros.
  decoded.create(height, static_cast<int>(cinfo.output_width), CV_8UC(cinfo.output_components));
  if (cmyk) decoded.setTo(0);
  JDIMENSION first_column = static_cast<JDIMENSION>(needed.x);
  JDIMENSION columns = static_cast<JDIMENSION>(needed.width);
  jpeg_crop_scanline(&cinfo, &first_column, &columns);  // widened to whole iMCU columns
  const size_t column_offset = first_column * static_cast<size_t>(cinfo.output_components);
  auto read_row = [&]() {
    JSAMPROW row = decoded.ptr<unsigned char>(static_cast<int>(cinfo.output_scanline)) + column_offset;
    jpeg_read_scanlines(&cinfo, &row, 1);
  };
  jpeg_skip_scanlines(&cinfo, static_cast<JDIMENSION>(needed.y));
  while (static_cast<int>(cinfo.output_scanline) < needed.y + needed.height) read_row();
  // Skipped rows still go through the entropy decoder, which reports truncation, except that a
  // skip to the very end stops it; so the last row is read.
  if (static_cast<int>(cinfo.output_scanline) < height - 1)
    jpeg_skip_scanlines(&cinfo, static_cast<JDIMENSION>(height - 1) - cinfo.output_scanline);
  while (cinfo.output_scanline < cinfo.output_height) read_row();
  const bool adobe_inverted = cinfo.saw_Adobe_marker;
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  if (errors.truncated) {
    result.reason = fmt::format("truncated or damaged JPEG: {}", errors.message);
    return result;
  }
  result.rgb = resize_and_center_crop(cmyk ? cmyk_to_rgb(decoded, adobe_inverted) : decoded, options.size);
  return result;
}

}  // namespace varstyle
