// The evaluation summary: statistics, floors and best per column; its JSON, CSV and Markdown.
#include "eval/summary.h"

#include <algorithm>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/csv.h"
#include "core/error.h"
#include "eval/quality_floors.h"

namespace varstyle {
namespace fs = std::filesystem;
using nlohmann::json;
using nlohmann::ordered_json;

namespace {

// The measures over a method's set of outputs (MethodQuality), after the per-pair columns.
const std::vector<std::string>& set_columns() {
  static const std::vector<std::string> columns = {"style_sensitivity", "sample_diversity", "active_dims", "latent_dim"};
  return columns;
}

bool is_set_column(const std::string& column) {
  return std::find(set_columns().begin(), set_columns().end(), column) != set_columns().end();
}

// Mean and sample std of `column` over the method's pairs that did not fail.
ColumnStat pair_statistics(const std::vector<MetricRow>& rows, const std::string& method, const std::string& column) {
  std::vector<double> values;
  ColumnStat stat;
  for (const auto& row : rows) {
    if (row.method != method) continue;
    if (!row.error.empty()) ++stat.failed;
    auto it = row.values.find(column);
    if (row.error.empty() && it != row.values.end()) values.push_back(it->second);
  }
  stat.count = static_cast<int>(values.size());
  if (!values.empty()) {
    double sum = 0, squares = 0;
    for (double v : values) sum += v;
    stat.mean = sum / values.size();
    for (double v : values) squares += (v - stat.mean) * (v - stat.mean);
    stat.std = values.size() > 1 ? std::sqrt(squares / (values.size() - 1)) : 0.0;
  }
  return stat;
}

MethodSummary summarize_method(const std::vector<MetricRow>& rows, const MethodQuality& quality) {
  MethodSummary method{quality.method, quality.reference, {}, {}};
  std::map<std::string, double> floor_values = quality.values;
  for (const auto& column : metric_columns()) {
    method.columns[column] = pair_statistics(rows, quality.method, column);
    floor_values[column] = method.columns[column].mean;
  }
  for (const auto& column : set_columns()) {
    const auto it = quality.values.find(column);
    method.columns[column] = it != quality.values.end() && !std::isnan(it->second) ? ColumnStat{it->second, 0.0, 1, 0}
                                                                                   : ColumnStat{};
  }
  method.floor_failures = floor_failures(floor_values, quality.has_style_code);
  if (method.columns["structure"].failed > 0)
    method.floor_failures.push_back(fmt::format("{} pair(s) failed", method.columns["structure"].failed));
  return method;
}

// Only a method that passes every floor may be best: a metric that garbage can win is not read on
// its own. The reference row is not a contender. Ties go to the earlier method.
std::map<std::string, std::string> best_per_column(const EvalSummary& summary) {
  std::map<std::string, std::string> best;
  for (const auto& column : summary.columns) {
    const MethodSummary* leader = nullptr;
    for (const auto& method : summary.methods) {
      const double value = method.columns.at(column).mean;
      if (method.reference || !method.floor_failures.empty() || std::isnan(value)) continue;
      const double leading = leader ? leader->columns.at(column).mean : 0.0;
      if (!leader || (higher_is_better(column) ? value > leading : value < leading)) leader = &method;
    }
    if (leader) best[column] = leader->method;
  }
  return best;
}

std::string summary_csv(const EvalSummary& summary) {
  std::string csv = csv_line({"method", "metric", "mean", "std", "count", "failed"});
  for (const auto& method : summary.methods) {
    const std::string name = csv_field(method.method);
    csv += csv_line({name, "floors_passed", method.floor_failures.empty() ? "1" : "0", "0", "1", "0"});
    for (const auto& column : summary.columns) {
      const ColumnStat& stat = method.columns.at(column);
      csv += csv_line({name, column, fmt::format("{:.6g}", stat.mean), fmt::format("{:.6g}", stat.std),
                       std::to_string(stat.count), std::to_string(stat.failed)});
    }
  }
  return csv;
}

std::string summary_markdown(const EvalSummary& summary) {
  std::ostringstream md;
  md << summary_intro(summary.network, "**bold**") << "\n\n| method | floors |";
  for (const auto& column : summary.columns) md << " " << column << " |";
  md << "\n|---|---|";
  for (size_t i = 0; i < summary.columns.size(); ++i) md << "---|";
  md << "\n";
  for (const auto& method : summary.methods) {
    md << "| " << method.method << " | " << floors_cell(method) << " |";
    for (const auto& column : summary.columns) {
      const std::string cell = value_cell(method, column);
      md << " " << (summary.is_best(column, method.method) ? "**" + cell + "**" : cell) << " |";
    }
    md << "\n";
  }
  return md.str();
}

// NaN (a missing value) is null in JSON, and null reads back as NaN.
json number_or_null(double value) { return std::isnan(value) ? json() : json(value); }
double number_of(const json& value) { return value.is_null() ? NAN : value.get<double>(); }

ordered_json summary_json(const EvalSummary& summary) {
  ordered_json methods = ordered_json::array();
  for (const auto& method : summary.methods) {
    ordered_json columns = ordered_json::object();
    for (const auto& column : summary.columns) {
      const ColumnStat& stat = method.columns.at(column);
      columns[column] = {{"mean", number_or_null(stat.mean)}, {"std", number_or_null(stat.std)},
                         {"count", stat.count}, {"failed", stat.failed}};
    }
    methods.push_back({{"method", method.method},
                       {"reference", method.reference},
                       {"floors_passed", method.floor_failures.empty()},
                       {"floor_failures", method.floor_failures},
                       {"columns", columns}});
  }
  ordered_json best = ordered_json::object();
  for (const auto& column : summary.columns)
    if (summary.best.count(column)) best[column] = summary.best.at(column);
  return {{"network", summary.network}, {"columns", summary.columns}, {"methods", methods}, {"best", best}};
}

}  // namespace

const MethodSummary* EvalSummary::find(const std::string& method) const {
  for (const auto& item : methods)
    if (item.method == method) return &item;
  return nullptr;
}

bool EvalSummary::is_best(const std::string& column, const std::string& method) const {
  const auto it = best.find(column);
  return it != best.end() && it->second == method;
}

bool higher_is_better(const std::string& metric) {
  return metric == "ssim" || metric == "structure" || metric == "style_sensitivity" || metric == "sample_diversity" ||
         metric == "active_dims" || metric == "floors_passed";
}

std::string summary_intro(const std::string& network, const std::string& bold) {
  return "Evaluation network: " + network + ". Mean ± std over pairs; " + bold +
         " = best per column among the methods that pass every quality floor (higher structure, SSIM, sensitivity, "
         "diversity and active dimensions are better, lower everything else; `identity` is the reference row).";
}

std::string floors_cell(const MethodSummary& method) {
  return method.floor_failures.empty() ? std::string("pass")
                                       : fmt::format("FAIL: {}", fmt::join(method.floor_failures, "; "));
}

std::string value_cell(const MethodSummary& method, const std::string& column) {
  const ColumnStat& stat = method.columns.at(column);
  if (std::isnan(stat.mean)) return "—";
  return is_set_column(column) ? fmt::format("{:.4g}", stat.mean) : fmt::format("{:.4g} ± {:.2g}", stat.mean, stat.std);
}

EvalSummary summarize(const std::vector<MetricRow>& rows, const std::vector<MethodQuality>& methods,
                      const std::string& network_name) {
  EvalSummary summary;
  summary.network = network_name;
  summary.columns = metric_columns();
  summary.columns.insert(summary.columns.end(), set_columns().begin(), set_columns().end());
  for (const auto& quality : methods) summary.methods.push_back(summarize_method(rows, quality));
  summary.best = best_per_column(summary);
  return summary;
}

std::string write_summaries(const fs::path& folder, const EvalSummary& summary) {
  const std::string markdown = summary_markdown(summary);
  write_file_atomic(folder / "summary.json", summary_json(summary).dump(2) + "\n");
  write_file_atomic(folder / "summary.csv", summary_csv(summary));
  write_file_atomic(folder / "summary.md", markdown);
  return markdown;
}

EvalSummary read_summary_json(const fs::path& file) {
  EvalSummary summary;
  try {
    const json root = json::parse(read_file(file));
    summary.network = root.at("network").get<std::string>();
    summary.columns = root.at("columns").get<std::vector<std::string>>();
    for (const auto& item : root.at("methods")) {
      MethodSummary method;
      method.method = item.at("method").get<std::string>();
      method.reference = item.at("reference").get<bool>();
      method.floor_failures = item.at("floor_failures").get<std::vector<std::string>>();
      for (const auto& column : summary.columns) {
        const json& stat = item.at("columns").at(column);
        method.columns[column] = {number_of(stat.at("mean")), number_of(stat.at("std")), stat.at("count").get<int>(),
                                  stat.at("failed").get<int>()};
      }
      summary.methods.push_back(method);
    }
    summary.best = root.at("best").get<std::map<std::string, std::string>>();
  } catch (const json::exception& e) {
    throw Error(fmt::format("{}: unreadable evaluation summary ({})", file.string(), e.what()));
  }
  return summary;
}

}  // namespace varstyle
