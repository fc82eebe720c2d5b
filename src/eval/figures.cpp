// Figure composition with OpenCV: grids, comparison, interpolation, sampling, alpha.
#include "eval/figures.h"

#include <ATen/core/grad_mode.h>

#include <fmt/format.h>
#include <opencv2/imgproc.hpp>

#include <utility>

#include "image/grid.h"
#include "image/image_io.h"

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

using Cells = std::vector<std::vector<cv::Mat>>;

// A labelled figure: its rows of cells and the labels down the side.
struct Figure {
  Cells cells;
  std::vector<std::string> rows;
  void add(std::vector<cv::Mat> row, std::string label) {
    cells.push_back(std::move(row));
    rows.push_back(std::move(label));
  }
};

// grid-METHOD.png: styles along the top, contents down the side, a blank corner.
std::string write_method_grid(const fs::path& out, const FigureInputs& in, const std::string& method, int size) {
  Cells cells(in.contents.size() + 1);
  cells[0].push_back(cv::Mat(size, size, CV_8UC3, cv::Scalar(255, 255, 255)));
  for (const auto& style : in.styles) cells[0].push_back(image_of(style));
  for (size_t i = 0; i < in.contents.size(); ++i) {
    cells[i + 1].push_back(image_of(in.contents[i]));
    for (size_t j = 0; j < in.styles.size(); ++j) cells[i + 1].push_back(cell_or_placeholder(in.cell(method, i, j), size));
  }
  const std::string name = fmt::format("grid-{}.png", method);
  write_image(out / name, compose(cells, {"", "contents"}, {"", "styles"}));
  return name;
}

// comparison.png: methods side by side on up to three pairs.
std::string write_comparison(const fs::path& out, const FigureInputs& in, int size) {
  Figure comparison;
  std::vector<std::string> columns = {"content", "style"};
  columns.insert(columns.end(), in.methods.begin(), in.methods.end());
  for (size_t p = 0; p < std::min<size_t>(3, in.contents.size() * in.styles.size()); ++p) {
    const size_t i = p % in.contents.size(), j = p % in.styles.size();
    std::vector<cv::Mat> row = {image_of(in.contents[i]), image_of(in.styles[j])};
    for (const auto& method : in.methods) row.push_back(cell_or_placeholder(in.cell(method, i, j), size));
    comparison.add(std::move(row), fmt::format("c{} s{}", i, j));
  }
  write_image(out / "comparison.png", compose(comparison.cells, comparison.rows, columns));
  return "comparison.png";
}

// One row per trained model for alpha.png (content-style trade-off), interpolation.png (between
// two styles) and sampling.png (style codes drawn for the first content); rows only where the
// model and the inputs support them.
struct ModelFigures {
  Figure alpha, interpolation, sampling;
};

ModelFigures model_figures(const FigureInputs& in, const std::vector<double>& steps) {
  at::NoGradGuard no_grad;
  ModelFigures figures;
  for (const auto& [name, model] : in.models) {
    std::vector<cv::Mat> alpha_row;
    for (double a : steps) alpha_row.push_back(image_of(model->stylize(in.contents[0], in.styles[0], a)));
    figures.alpha.add(std::move(alpha_row), name);
    if (in.styles.size() >= 2) {
      std::vector<cv::Mat> row;
      for (double t : steps) row.push_back(image_of(model->interpolate(in.contents[0], {in.styles[0], in.styles[1]}, {1.0 - t, t})));
      figures.interpolation.add(std::move(row), name);
    }
    if (model->has_style_code()) {
      const at::Tensor samples = model->sample(in.contents[0], 5, 0);
      std::vector<cv::Mat> row = {image_of(in.contents[0])};
      for (int64_t k = 0; k < samples.size(0); ++k) row.push_back(to_rgb_image(samples[k]));
      figures.sampling.add(std::move(row), name);
    }
  }
  return figures;
}

}  // namespace

std::vector<std::string> write_figures(const fs::path& out, const FigureInputs& in) {
  std::vector<std::string> written;
  const int size = static_cast<int>(in.contents.front().size(2));
  for (const auto& method : in.methods) written.push_back(write_method_grid(out, in, method, size));
  written.push_back(write_comparison(out, in, size));

  const std::vector<double> steps = {0.0, 0.25, 0.5, 0.75, 1.0};
  std::vector<std::string> step_labels;
  for (double t : steps) step_labels.push_back(fmt::format("{:.2f}", t));
  const ModelFigures figures = model_figures(in, steps);
  const auto emit = [&](const std::string& file, const Figure& figure, const std::vector<std::string>& labels) {
    if (figure.cells.empty()) return;
    write_image(out / file, compose(figure.cells, figure.rows, labels));
    written.push_back(file);
  };
  emit("alpha.png", figures.alpha, step_labels);
  emit("interpolation.png", figures.interpolation, step_labels);
  emit("sampling.png", figures.sampling, {"content", "z1", "z2", "z3", "z4", "z5"});
  return written;
}

}  // namespace varstyle
