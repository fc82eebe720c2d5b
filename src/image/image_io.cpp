// Image reading, resizing, padding for any size, colour preservation.
#include "image/image_io.h"

#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <fmt/format.h>

#include "core/error.h"
#include "image/resize.h"

namespace varstyle {
namespace fs = std::filesystem;

cv::Mat read_image_rgb(const fs::path& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) throw Error(fmt::format("{}: image not found", path.string()));
  cv::Mat bgr;
  try {
    bgr = cv::imread(path.string(), cv::IMREAD_COLOR);
  } catch (const cv::Exception& e) {
    throw Error(fmt::format("{}: cannot read image: {}", path.string(), e.err));
  }
  if (bgr.empty()) throw Error(fmt::format("{}: cannot read image (not an image, or corrupt)", path.string()));
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  return rgb;
}

void check_output_image(const std::string& option, const fs::path& path) {
  std::string extension = path.extension().string();
  for (auto& c : extension) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (extension != ".png" && extension != ".jpg" && extension != ".jpeg")
    throw ConfigError(fmt::format("{} {}: unsupported image extension (use .png, .jpg or .jpeg)", option, path.string()));
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw ConfigError(fmt::format("{} {}: is a folder", option, path.string()));
  const fs::path folder = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  if (!fs::is_directory(folder, ec))
    throw ConfigError(fmt::format("{} {}: the folder {} does not exist", option, path.string(), folder.string()));
  // The file is written under a temporary name in the same folder, then renamed.
  if (::access(folder.c_str(), W_OK | X_OK) != 0) {
    const int error = errno;
    throw ConfigError(fmt::format("{} {}: cannot write into {}: {}", option, path.string(), folder.string(),
                                  std::strerror(error)));
  }
}

cv::Mat resize_short_side(const cv::Mat& rgb, int size) {
  if (size <= 0) return rgb;
  const double scale = static_cast<double>(size) / std::min(rgb.cols, rgb.rows);
  if (std::abs(scale - 1.0) < 1e-9) return rgb;
  return resize_rgb(rgb, cv::Size(std::max(1, static_cast<int>(std::lround(rgb.cols * scale))),
                                  std::max(1, static_cast<int>(std::lround(rgb.rows * scale)))));
}

at::Tensor pad_to_multiple(const at::Tensor& image, int64_t multiple) {
  const int64_t height = image.size(2), width = image.size(3);
  const int64_t pad_bottom = (multiple - height % multiple) % multiple;
  const int64_t pad_right = (multiple - width % multiple) % multiple;
  // Reflection needs the pad to be smaller than the side; replicate covers tiny images.
  const bool reflect = pad_bottom < height && pad_right < width;
  return pad_bottom == 0 && pad_right == 0 ? image
         : reflect ? at::reflection_pad2d(image, {0, pad_right, 0, pad_bottom})
                   : at::replication_pad2d(image, {0, pad_right, 0, pad_bottom});
}

at::Tensor run_padded(const at::Tensor& image, int64_t multiple,
                      const std::function<at::Tensor(const at::Tensor&)>& network) {
  const int64_t height = image.size(2), width = image.size(3);
  return network(pad_to_multiple(image, multiple)).narrow(2, 0, height).narrow(3, 0, width);
}

cv::Mat preserve_color(const cv::Mat& stylized, const cv::Mat& content) {
  cv::Mat stylized_ycc, content_ycc, resized_content;
  resized_content = resize_rgb(content, stylized.size());
  cv::cvtColor(stylized, stylized_ycc, cv::COLOR_RGB2YCrCb);
  cv::cvtColor(resized_content, content_ycc, cv::COLOR_RGB2YCrCb);
  std::vector<cv::Mat> s, c;
  cv::split(stylized_ycc, s);
  cv::split(content_ycc, c);
  cv::Mat merged, rgb;
  cv::merge(std::vector<cv::Mat>{s[0], c[1], c[2]}, merged);
  cv::cvtColor(merged, rgb, cv::COLOR_YCrCb2RGB);
  return rgb;
}

}  // namespace varstyle
