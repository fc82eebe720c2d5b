// The resize rule: area reduction when no side grows, bicubic otherwise.
#include "image/resize.h"

#include <opencv2/imgproc.hpp>

#include "image/area_reduce.h"

namespace varstyle {

cv::Mat resize_window(const cv::Mat& rgb, cv::Size resized, cv::Rect window) {
  if (window.empty()) window = cv::Rect(0, 0, resized.width, resized.height);
  if (resized == rgb.size()) return rgb(window).clone();
  if (resized.width <= rgb.cols && resized.height <= rgb.rows) return area_reduce_window(rgb, resized, window);
  cv::Mat enlarged;
  cv::resize(rgb, enlarged, resized, 0, 0, cv::INTER_CUBIC);
  return enlarged(window).clone();
}

}  // namespace varstyle
