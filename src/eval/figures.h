// The evaluation's figures: grid-METHOD.png (contents x styles, styles along the top, contents
// down the side), comparison.png (methods side by side on a few pairs, labelled),
// interpolation.png, sampling.png and alpha.png for the trained models that support them.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "models/style_model.h"

namespace varstyle {

struct FigureInputs {
  std::vector<at::Tensor> contents, styles;  // [1, 3, S, S] each
  std::vector<std::string> methods;          // every method's name, in order
  std::vector<std::pair<std::string, std::shared_ptr<StyleModel>>> models;  // the trained ones
  // Where a method's stylisation of (content i, style j) was written (missing: it failed).
  std::function<std::filesystem::path(const std::string&, size_t, size_t)> cell;
};

// Writes the figures into `out`; returns their file names (for report.html).
std::vector<std::string> write_figures(const std::filesystem::path& out, const FigureInputs& inputs);

// Labelled composition: cells[r][c] (all one size) with column labels on top, row labels left.
cv::Mat compose(const std::vector<std::vector<cv::Mat>>& cells, const std::vector<std::string>& row_labels,
                const std::vector<std::string>& column_labels);

}  // namespace varstyle
