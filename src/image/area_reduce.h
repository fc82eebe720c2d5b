// Area (box) reduction of 8-bit RGB images in fixed point, computing only a window of the
// reduced image: varstyle-prep's short-side resize followed by its centre crop, in one pass.
#pragma once

#include <opencv2/core.hpp>

namespace varstyle {

// The `window` of `rgb` (CV_8UC3) area-reduced to `reduced`: each output pixel is the mean of the
// source rectangle it covers, pixels cut by its edges weighted by the part inside (what
// cv::resize with INTER_AREA computes, within one level). Reduction only: `reduced` is at most
// the source size on each side, and `window` lies inside `reduced`.
cv::Mat area_reduce_window(const cv::Mat& rgb, cv::Size reduced, cv::Rect window);

// The source pixels area_reduce_window reads for `window` of a `source`-sized image reduced to
// `reduced`: pixels outside it may hold anything (a decoder need not produce them).
cv::Rect area_source_rect(cv::Size source, cv::Size reduced, cv::Rect window);

}  // namespace varstyle
