// Image composition for reports: a content x style grid of stylisations with the style images
// along the top and the contents down the side, and PNG/JPEG writing (atomic).
#pragma once

#include <ATen/ATen.h>

#include <filesystem>
#include <functional>

#include <opencv2/core.hpp>

namespace varstyle {

// [3, H, W] float in [0, 1] (clamped) -> H x W CV_8UC3 RGB.
cv::Mat to_rgb_image(const at::Tensor& image);
// H x W CV_8UC3 RGB -> [1, 3, H, W] float in [0, 1].
at::Tensor from_rgb_image(const cv::Mat& rgb);

// Rows = contents [N,3,H,W], columns = styles [M,3,H,W]; cell (i, j) = stylize(content i, style j)
// ([1,3,H,W]). The top-left corner is blank, the first row shows the styles, the first column
// the contents; `gap` pixels of white between cells.
cv::Mat stylization_grid(const at::Tensor& contents, const at::Tensor& styles,
                         const std::function<at::Tensor(const at::Tensor&, const at::Tensor&)>& stylize,
                         int gap = 2);

// Writes PNG or JPEG by the extension, atomically; throws Error naming the file.
void write_image(const std::filesystem::path& path, const cv::Mat& rgb);

}  // namespace varstyle
