// An image uploaded to the explorer, decoded by varstyle-prep's rules for hostile files (format
// sniffing, header size checks before decoding, truncation detection), within tighter limits.
#pragma once

#include <cstdint>
#include <string>

#include <opencv2/core.hpp>

namespace varstyle {

inline constexpr size_t kMaxUploadBytes = 20u << 20;        // 20 MiB
inline constexpr int64_t kMaxUploadPixels = 50'000'000;     // 50 MP: decompression bombs stop here
inline constexpr int kUploadSide = 512;                     // the largest size the page offers

// A kUploadSide square (short side resized, centre crop), RGB. Throws RequestError (400, or 413
// for a body over kMaxUploadBytes) naming `name` and why it was refused.
cv::Mat decode_upload(const std::string& name, const std::string& bytes);

}  // namespace varstyle
