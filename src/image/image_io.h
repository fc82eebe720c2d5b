// Images for the everyday commands: reading any file OpenCV decodes as RGB (error naming the file
// otherwise), resizing to a short side, running a network on any size by reflect-padding to a
// multiple of 8 and cropping back, and colour preservation (luminance-only transfer).
#pragma once

#include <ATen/ATen.h>

#include <filesystem>
#include <functional>

#include <opencv2/core.hpp>

namespace varstyle {

cv::Mat read_image_rgb(const std::filesystem::path& path);
// Refuses (ConfigError naming `option`) an output image path that could not be written: an
// extension other than .png/.jpg/.jpeg, a missing or unwritable folder, an existing folder. Called
// before any work, so a typo costs no stylisation.
void check_output_image(const std::string& option, const std::filesystem::path& path);
// Short side to `size` (area filter when shrinking); size 0 keeps the image as it is.
cv::Mat resize_short_side(const cv::Mat& rgb, int size);
// [N, 3, H, W] padded at the bottom and right up to multiples of `multiple` (reflection, or
// replication where the image is too small to reflect).
at::Tensor pad_to_multiple(const at::Tensor& image, int64_t multiple);
// Applies `network` to [1, 3, H, W] padded up to multiples of `multiple`, then crops back.
at::Tensor run_padded(const at::Tensor& image, int64_t multiple, const std::function<at::Tensor(const at::Tensor&)>& network);
// The stylisation's luminance with the content's colour (YCrCb); both H x W RGB.
cv::Mat preserve_color(const cv::Mat& stylized, const cv::Mat& content);

}  // namespace varstyle
