// PNG bytes of an RGB image for the page, and base64 for putting them in a JSON answer.
#pragma once

#include <string>

#include <opencv2/core.hpp>

namespace varstyle {

// Lossless; fast compression, since a slider move waits for it.
std::string encode_png(const cv::Mat& rgb);
std::string base64_encode(const std::string& bytes);

}  // namespace varstyle
