// Evaluation outputs from the gathered rows: metrics.csv (one row per method and pair),
// summary.csv and summary.md (mean and std per method and metric, the best per column marked),
// and report.html showing the table and every image, readable offline.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "eval/evaluator.h"

namespace varstyle {

void write_metrics_csv(const std::filesystem::path& path, const std::vector<MetricRow>& rows);
// Returns the Markdown table (also written to summary.md).
std::string write_summaries(const std::filesystem::path& folder, const std::vector<MetricRow>& rows,
                            const std::vector<std::string>& methods, const std::string& network_name);
void write_report_html(const std::filesystem::path& folder, const std::string& summary_markdown,
                       const std::vector<std::string>& images);

}  // namespace varstyle
