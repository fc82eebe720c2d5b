// The one resize rule of varstyle, for varstyle-prep's shards and for every command's images
// alike, so the same photo gives the same pixels in both: area averaging when shrinking (each
// output pixel the mean of the source rectangle it covers, area_reduce_window), bicubic when
// enlarging. Free of LibTorch, so varstyle-prep can use it.
#pragma once

#include <opencv2/core.hpp>

namespace varstyle {

// `window` (inside a `resized`-sized image) of 8-bit RGB `rgb` resized to `resized`; an empty
// window means all of it.
cv::Mat resize_window(const cv::Mat& rgb, cv::Size resized, cv::Rect window = cv::Rect());

// `rgb` (CV_8UC3) resized to `resized`.
inline cv::Mat resize_rgb(const cv::Mat& rgb, cv::Size resized) { return resize_window(rgb, resized); }

}  // namespace varstyle
