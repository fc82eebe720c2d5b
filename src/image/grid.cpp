// Grid composition and image writing with OpenCV.
#include "image/grid.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <fmt/format.h>

#include "core/atomic_file.h"
#include "core/error.h"

namespace varstyle {
namespace fs = std::filesystem;

cv::Mat to_rgb_image(const at::Tensor& image) {
  TORCH_CHECK(image.dim() == 3 && image.size(0) == 3, "expected [3, H, W], got ", image.sizes());
  const at::Tensor bytes =
      (image.detach().to(at::kCPU, at::kFloat).clamp(0, 1) * 255.0).round().to(at::kByte).permute({1, 2, 0}).contiguous();
  cv::Mat rgb(static_cast<int>(bytes.size(0)), static_cast<int>(bytes.size(1)), CV_8UC3, bytes.data_ptr());
  return rgb.clone();
}

at::Tensor from_rgb_image(const cv::Mat& rgb) {
  TORCH_CHECK(rgb.type() == CV_8UC3, "expected an 8-bit RGB image");
  const cv::Mat contiguous = rgb.isContinuous() ? rgb : rgb.clone();
  at::Tensor bytes = at::from_blob(contiguous.data, {rgb.rows, rgb.cols, 3}, at::kByte);
  return bytes.permute({2, 0, 1}).to(at::kFloat).div(255.0).unsqueeze(0).contiguous();
}

cv::Mat stylization_grid(const at::Tensor& contents, const at::Tensor& styles,
                         const std::function<at::Tensor(const at::Tensor&, const at::Tensor&)>& stylize, int gap) {
  const int rows = static_cast<int>(contents.size(0)), columns = static_cast<int>(styles.size(0));
  const int height = static_cast<int>(contents.size(2)), width = static_cast<int>(contents.size(3));
  cv::Mat grid((rows + 1) * (height + gap) - gap, (columns + 1) * (width + gap) - gap, CV_8UC3, cv::Scalar(255, 255, 255));
  auto place = [&](const cv::Mat& image, int row, int column) {
    cv::Mat cell;
    if (image.rows != height || image.cols != width) cv::resize(image, cell, cv::Size(width, height), 0, 0, cv::INTER_AREA);
    else cell = image;
    cell.copyTo(grid(cv::Rect(column * (width + gap), row * (height + gap), width, height)));
  };
  for (int j = 0; j < columns; ++j) place(to_rgb_image(styles[j]), 0, j + 1);
  for (int i = 0; i < rows; ++i) {
    place(to_rgb_image(contents[i]), i + 1, 0);
    for (int j = 0; j < columns; ++j) place(to_rgb_image(stylize(contents[i].unsqueeze(0), styles[j].unsqueeze(0))[0]), i + 1, j + 1);
  }
  return grid;
}

void write_image(const fs::path& path, const cv::Mat& rgb) {
  std::string extension = path.extension().string();
  for (auto& c : extension) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (extension != ".png" && extension != ".jpg" && extension != ".jpeg")
    throw Error(fmt::format("{}: unsupported image extension (use .png, .jpg or .jpeg)", path.string()));
  cv::Mat bgr;
  cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  std::vector<uchar> bytes;
  if (!cv::imencode(extension, bgr, bytes)) throw Error(fmt::format("{}: cannot encode image", path.string()));
  write_file_atomic(path, std::string(bytes.begin(), bytes.end()));
}

}  // namespace varstyle
