// Uploads through decode_square_image_bytes, varstyle-prep's decoder: its reasons ("not an image
// (unrecognised file signature)", "too large: ...") are the messages the user sees.
#include "explore/upload_decode.h"

#include <fmt/format.h>

#include "explore/request_error.h"
#include "image_decode.h"

namespace varstyle {

cv::Mat decode_upload(const std::string& name, const std::string& bytes) {
  if (bytes.size() > kMaxUploadBytes)
    throw RequestError(fmt::format("{}: {} bytes is over the upload limit of {} MB", name, bytes.size(), kMaxUploadBytes >> 20), 413);
  DecodeOptions options;
  options.size = kUploadSide;
  options.min_side = 16;  // the networks' minimum (varstyle stylize's)
  options.max_pixels = kMaxUploadPixels;
  DecodedImage decoded = decode_square_image_bytes(bytes, options);
  if (!decoded.ok()) {
    std::string reason = decoded.reason;
    // varstyle-prep names its own flags; here the limits are fixed.
    for (const char* flag : {" (decompression bomb guard, --max-pixels)", " (--min-side)"}) {
      const size_t at = reason.find(flag);
      if (at != std::string::npos) reason.erase(at, std::string(flag).size());
    }
    throw RequestError(fmt::format("{}: cannot use this upload: {}", name, reason));
  }
  return decoded.rgb;
}

}  // namespace varstyle
