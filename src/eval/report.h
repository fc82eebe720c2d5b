// Evaluation outputs from the gathered rows: metrics.csv (one row per method and pair),
// summary.csv and summary.md (mean and std per method and metric, the measures over each method's
// set of outputs, whether it passes the quality floors, the best per column among those that do),
// and report.html showing the table and every image, readable offline.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "eval/evaluator.h"

namespace varstyle {

// Lower is better for distances, the colour and texture ratios and time; higher for SSIM,
// structure, style sensitivity, sample diversity, active dimensions and floors_passed.
bool higher_is_better(const std::string& metric);

void write_metrics_csv(const std::filesystem::path& path, const std::vector<MetricRow>& rows);
// Returns the Markdown table (also written to summary.md).
// A method that misses a quality floor (quality_floors.h) is shown failing, with the reasons,
// and is never marked best.
std::string write_summaries(const std::filesystem::path& folder, const std::vector<MetricRow>& rows,
                            const std::vector<MethodQuality>& methods, const std::string& network_name);
void write_report_html(const std::filesystem::path& folder, const std::string& summary_markdown,
                       const std::vector<std::string>& images);

}  // namespace varstyle
