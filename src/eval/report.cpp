// metrics.csv and report.html of an evaluation.
#include "eval/report.h"

#include <sstream>

#include <fmt/format.h>

#include "core/atomic_file.h"
#include "core/csv.h"

namespace varstyle {
namespace fs = std::filesystem;

namespace {

std::string html_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else out += c;
  }
  return out;
}

// A table cell; the padding spaces match the Markdown table's.
std::string cell(const char* tag, const std::string& text, bool bold = false, const char* attributes = "") {
  const std::string inner = " " + html_escape(text) + " ";
  return fmt::format("<{0}{1}>{2}</{0}>", tag, attributes, bold ? "<b>" + inner + "</b>" : inner);
}

std::string summary_table(const EvalSummary& summary) {
  std::string html = "<table><tr>" + cell("th", "method") + cell("th", "floors");
  for (const auto& column : summary.columns) html += cell("th", column);
  html += "</tr>";
  for (const auto& method : summary.methods) {
    html += "<tr>" + cell("td", method.method) +
            cell("td", floors_cell(method), false, method.floor_failures.empty() ? "" : " class=\"fail\"");
    for (const auto& column : summary.columns)
      html += cell("td", value_cell(method, column), summary.is_best(column, method.method));
    html += "</tr>";
  }
  return html + "</table>";
}

}  // namespace

void write_metrics_csv(const fs::path& path, const std::vector<MetricRow>& rows) {
  std::vector<std::string> header = {"method", "content", "style"};
  for (const auto& column : metric_columns()) header.push_back(column);
  header.push_back("error");
  std::string csv = csv_line(header);
  for (const auto& row : rows) {
    std::vector<std::string> fields = {csv_field(row.method), csv_field(row.content), csv_field(row.style)};
    for (const auto& column : metric_columns()) {
      auto it = row.values.find(column);
      fields.push_back(it == row.values.end() ? std::string() : fmt::format("{:.6g}", it->second));
    }
    fields.push_back(csv_field(row.error));
    csv += csv_line(fields);
  }
  write_file_atomic(path, csv);
}

void write_report_html(const fs::path& folder, const EvalSummary& summary, const std::vector<std::string>& images) {
  std::ostringstream html;
  html << "<!doctype html><html><head><meta charset=\"utf-8\"><title>varstyle evaluation</title>"
       << "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
       << "padding:4px 8px;text-align:right}td.fail{color:#a00;text-align:left}img{max-width:100%;image-rendering:pixelated}</style></head><body>"
       << "<h1>varstyle evaluation</h1>";
  html << "<p>" << summary_intro(html_escape(summary.network), "<b>bold</b>") << "</p>" << summary_table(summary);
  html << "<p>Per-pair values: <a href=\"metrics.csv\">metrics.csv</a>; configuration: <a href=\"config.yaml\">config.yaml</a>.</p>";
  for (const auto& image : images)
    html << "<h2>" << html_escape(image) << "</h2><img src=\"" << html_escape(image) << "\" alt=\"" << html_escape(image) << "\">";
  html << "</body></html>\n";
  write_file_atomic(folder / "report.html", html.str());
}

}  // namespace varstyle
