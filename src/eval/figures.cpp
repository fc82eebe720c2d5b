// Figure composition with OpenCV: grids, comparison, interpolation, sampling, alpha.
#include "eval/figures.h"

#include <ATen/core/grad_mode.h>

#include <fmt/format.h>
#include <opencv2/imgproc.hpp>

#include "eval/grid.h"
#include "eval/image_io.h"

namespace varstyle {
namespace fs = std::filesystem;

cv::Mat compose(const std::vector<std::vector<cv::Mat>>& cells, const std::vector<std::string>& row_labels,
                const std::vector<std::string>& column_labels) {
  const int size = cells.front().front().cols, gap = 4, label_height = 18, label_width = 96;
  const int rows = static_cast<int>(cells.size()), columns = static_cast<int>(cells.front().size());
  cv::Mat canvas(label_height + rows * (size + gap), label_width + columns * (size + gap), CV_8UC3, cv::Scalar(255, 255, 255));
  const auto text = [&](const std::string& label, int x, int y) {
    cv::putText(canvas, label.substr(0, 14), cv::Point(x, y), cv::FONT_HERSHEY_SIMPLEX, 0.4, cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
  };
  for (int c = 0; c < columns && c < static_cast<int>(column_labels.size()); ++c) text(column_labels[c], label_width + c * (size + gap) + 2, 13);
  for (int r = 0; r < rows; ++r) {
    if (r < static_cast<int>(row_labels.size())) text(row_labels[r], 2, label_height + r * (size + gap) + size / 2);
    for (int c = 0; c < columns; ++c)
      cells[r][c].copyTo(canvas(cv::Rect(label_width + c * (size + gap), label_height + r * (size + gap), size, size)));
  }
  return canvas;
}

namespace {

cv::Mat cell_or_placeholder(const fs::path& path, int size) {
  if (fs::exists(path)) return read_image_rgb(path);
  return cv::Mat(size, size, CV_8UC3, cv::Scalar(200, 200, 200));  // the pair failed; see metrics.csv
}

cv::Mat image_of(const at::Tensor& t) { return to_rgb_image(t[0]); }

}  // namespace

std::vector<std::string> write_figures(const fs::path& out, const FigureInputs& in) {
  std::vector<std::string> written;
  const int size = static_cast<int>(in.contents.front().size(2));
  for (const auto& method : in.methods) {
    std::vector<std::vector<cv::Mat>> cells(in.contents.size() + 1);
    cells[0].push_back(cv::Mat(size, size, CV_8UC3, cv::Scalar(255, 255, 255)));
    for (const auto& style : in.styles) cells[0].push_back(image_of(style));
    for (size_t i = 0; i < in.contents.size(); ++i) {
      cells[i + 1].push_back(image_of(in.contents[i]));
      for (size_t j = 0; j < in.styles.size(); ++j) cells[i + 1].push_back(cell_or_placeholder(in.cell(method, i, j), size));
    }
    const std::string name = fmt::format("grid-{}.png", method);
    write_image(out / name, compose(cells, {"", "contents"}, {"", "styles"}));
    written.push_back(name);
  }
  // Methods side by side on up to three pairs.
  std::vector<std::vector<cv::Mat>> comparison;
  std::vector<std::string> columns = {"content", "style"}, pair_labels;
  columns.insert(columns.end(), in.methods.begin(), in.methods.end());
  for (size_t p = 0; p < std::min<size_t>(3, in.contents.size() * in.styles.size()); ++p) {
    const size_t i = p % in.contents.size(), j = p % in.styles.size();
    std::vector<cv::Mat> row = {image_of(in.contents[i]), image_of(in.styles[j])};
    for (const auto& method : in.methods) row.push_back(cell_or_placeholder(in.cell(method, i, j), size));
    comparison.push_back(row);
    pair_labels.push_back(fmt::format("c{} s{}", i, j));
  }
  write_image(out / "comparison.png", compose(comparison, pair_labels, columns));
  written.push_back("comparison.png");

  at::NoGradGuard no_grad;
  const std::vector<double> steps = {0.0, 0.25, 0.5, 0.75, 1.0};
  std::vector<std::string> step_labels;
  for (double t : steps) step_labels.push_back(fmt::format("{:.2f}", t));
  std::vector<std::vector<cv::Mat>> interpolation, sampling, alpha;
  std::vector<std::string> interpolation_rows, sampling_rows, alpha_rows;
  for (const auto& [name, model] : in.models) {
    std::vector<cv::Mat> alpha_row;
    for (double a : steps) alpha_row.push_back(image_of(model->stylize(in.contents[0], in.styles[0], a)));
    alpha.push_back(alpha_row);
    alpha_rows.push_back(name);
    if (in.styles.size() >= 2) {
      std::vector<cv::Mat> row;
      for (double t : steps) row.push_back(image_of(model->interpolate(in.contents[0], {in.styles[0], in.styles[1]}, {1.0 - t, t})));
      interpolation.push_back(row);
      interpolation_rows.push_back(name);
    }
    if (model->has_style_code()) {
      const at::Tensor samples = model->sample(in.contents[0], 5, 0);
      std::vector<cv::Mat> row = {image_of(in.contents[0])};
      for (int64_t k = 0; k < samples.size(0); ++k) row.push_back(to_rgb_image(samples[k]));
      sampling.push_back(row);
      sampling_rows.push_back(name);
    }
  }
  auto emit = [&](const std::string& file, const std::vector<std::vector<cv::Mat>>& cells, const std::vector<std::string>& rows,
                  const std::vector<std::string>& labels) {
    if (cells.empty()) return;
    write_image(out / file, compose(cells, rows, labels));
    written.push_back(file);
  };
  emit("alpha.png", alpha, alpha_rows, step_labels);
  emit("interpolation.png", interpolation, interpolation_rows, step_labels);
  emit("sampling.png", sampling, sampling_rows, {"content", "z1", "z2", "z3", "z4", "z5"});
  return written;
}

}  // namespace varstyle
