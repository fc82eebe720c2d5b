// Evaluation outputs beside the summary (summary.h): metrics.csv (one row per method and pair)
// and report.html showing the summary's table and every image, readable offline.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "eval/evaluator.h"
#include "eval/summary.h"

namespace varstyle {

void write_metrics_csv(const std::filesystem::path& path, const std::vector<MetricRow>& rows);
void write_report_html(const std::filesystem::path& folder, const EvalSummary& summary,
                       const std::vector<std::string>& images);

}  // namespace varstyle
