// An evaluation's summary: per method the mean and std of every metric over its pairs, the
// measures over its set of outputs, the quality floors it misses, and the best method per column
// among those that pass every floor. Written as summary.json (read back by sweeps), summary.csv
// and summary.md; report.html shows the same data.
#pragma once

#include <cmath>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "eval/evaluator.h"

namespace varstyle {

struct ColumnStat {
  double mean = NAN, std = NAN;  // NaN: no value (every pair failed, or the measure is missing)
  int count = 0, failed = 0;
};

struct MethodSummary {
  std::string method;
  bool reference = false;                   // identity: never best
  std::vector<std::string> floor_failures;  // one reason per floor missed; empty = passes
  std::map<std::string, ColumnStat> columns;
};

struct EvalSummary {
  std::string network;               // the evaluation network's description
  std::vector<std::string> columns;  // metric_columns(), then the set measures
  std::vector<MethodSummary> methods;
  std::map<std::string, std::string> best;  // column -> method

  const MethodSummary* find(const std::string& method) const;
  bool is_best(const std::string& column, const std::string& method) const;
};

// Lower is better for distances, the colour and texture ratios and time; higher for SSIM,
// structure, style sensitivity, sample diversity, active dimensions and floors_passed.
bool higher_is_better(const std::string& metric);

// A method that misses a quality floor (quality_floors.h), or has failing pairs, is never best.
EvalSummary summarize(const std::vector<MetricRow>& rows, const std::vector<MethodQuality>& methods,
                      const std::string& network_name);

// summary.json, summary.csv and summary.md into `folder`; returns the Markdown.
std::string write_summaries(const std::filesystem::path& folder, const EvalSummary& summary);

// Reads summary.json; throws Error naming the file when it is missing or malformed.
EvalSummary read_summary_json(const std::filesystem::path& file);

// The text both summary.md and report.html show: the sentence above the table (`bold` is how the
// format writes the word "bold"), the floors cell and a value cell.
std::string summary_intro(const std::string& network, const std::string& bold);
std::string floors_cell(const MethodSummary& method);
std::string value_cell(const MethodSummary& method, const std::string& column);

}  // namespace varstyle
