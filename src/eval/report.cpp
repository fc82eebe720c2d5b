// CSV, Markdown and HTML reports of an evaluation.
#include "eval/report.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include <fmt/format.h>

#include "core/atomic_file.h"
#include "eval/quality_floors.h"

namespace varstyle {
namespace fs = std::filesystem;

namespace {

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

// The measures over a method's set of outputs (MethodQuality), after the per-pair columns.
const std::vector<std::string>& set_columns() {
  static const std::vector<std::string> columns = {"style_sensitivity", "sample_diversity", "active_dims", "latent_dim"};
  return columns;
}

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

// Markdown's **text** as <b>text</b> (the summary's prose uses it).
std::string bold_spans(const std::string& text) {
  std::string out;
  bool open = false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text.compare(i, 2, "**") == 0) {
      out += open ? "</b>" : "<b>";
      open = !open;
      ++i;
    } else {
      out += text[i];
    }
  }
  return open ? out + "</b>" : out;
}

}  // namespace

bool higher_is_better(const std::string& metric) {
  return metric == "ssim" || metric == "structure" || metric == "style_sensitivity" || metric == "sample_diversity" ||
         metric == "active_dims" || metric == "floors_passed";
}

void write_metrics_csv(const fs::path& path, const std::vector<MetricRow>& rows) {
  std::ostringstream out;
  out << "method,content,style";
  for (const auto& column : metric_columns()) out << "," << column;
  out << ",error\n";
  for (const auto& row : rows) {
    out << csv_field(row.method) << "," << csv_field(row.content) << "," << csv_field(row.style);
    for (const auto& column : metric_columns()) {
      auto it = row.values.find(column);
      out << "," << (it == row.values.end() ? std::string() : fmt::format("{:.6g}", it->second));
    }
    out << "," << csv_field(row.error) << "\n";
  }
  write_file_atomic(path, out.str());
}

std::string write_summaries(const fs::path& folder, const std::vector<MetricRow>& rows,
                            const std::vector<MethodQuality>& methods, const std::string& network_name) {
  struct Stat {
    double mean = NAN, std = NAN;
    int count = 0, failed = 0;
  };
  std::map<std::string, std::map<std::string, Stat>> stats;
  std::map<std::string, std::vector<std::string>> failures;  // method -> floors it misses
  for (const auto& method : methods) {
    std::map<std::string, double> floor_values = method.values;
    for (const auto& column : metric_columns()) {
      std::vector<double> values;
      int failed = 0;
      for (const auto& row : rows) {
        if (row.method != method.method) continue;
        if (!row.error.empty()) ++failed;
        auto it = row.values.find(column);
        if (row.error.empty() && it != row.values.end()) values.push_back(it->second);
      }
      Stat stat;
      stat.count = static_cast<int>(values.size());
      stat.failed = failed;
      if (!values.empty()) {
        double sum = 0, squares = 0;
        for (double v : values) sum += v;
        stat.mean = sum / values.size();
        for (double v : values) squares += (v - stat.mean) * (v - stat.mean);
        stat.std = values.size() > 1 ? std::sqrt(squares / (values.size() - 1)) : 0.0;
      }
      stats[method.method][column] = stat;
      floor_values[column] = stat.mean;
    }
    for (const auto& column : set_columns()) {
      const auto it = method.values.find(column);
      Stat stat;
      if (it != method.values.end() && !std::isnan(it->second)) stat = {it->second, 0.0, 1, 0};
      stats[method.method][column] = stat;
    }
    failures[method.method] = floor_failures(floor_values, method.has_style_code);
    if (stats[method.method]["structure"].failed > 0)
      failures[method.method].push_back(fmt::format("{} pair(s) failed", stats[method.method]["structure"].failed));
  }
  std::vector<std::string> columns = metric_columns();
  columns.insert(columns.end(), set_columns().begin(), set_columns().end());
  std::map<std::string, std::string> best;  // column -> method
  for (const auto& column : columns) {
    for (const auto& method : methods) {
      // Only a method that passes every floor may be best: a metric that garbage can win is not
      // read on its own. The identity row is the reference, not a contender.
      const std::string& name = method.method;
      if (method.reference || !failures[name].empty() || std::isnan(stats[name][column].mean)) continue;
      const auto current = best.find(column);
      const double value = stats[name][column].mean;
      if (current == best.end() ||
          (higher_is_better(column) ? value > stats[current->second][column].mean : value < stats[current->second][column].mean))
        best[column] = name;
    }
  }
  std::ostringstream csv, md;
  csv << "method,metric,mean,std,count,failed\n";
  md << "Evaluation network: " << network_name << ". Mean ± std over pairs; **bold** = best per column "
     << "among the methods that pass every quality floor (higher structure, SSIM, sensitivity, diversity and "
     << "active dimensions are better, lower everything else; `identity` is the reference row).\n\n| method | floors |";
  for (const auto& column : columns) md << " " << column << " |";
  md << "\n|---|---|";
  for (size_t i = 0; i < columns.size(); ++i) md << "---|";
  md << "\n";
  for (const auto& method : methods) {
    const std::string& name = method.method;
    const auto& missed = failures[name];
    md << "| " << name << " | " << (missed.empty() ? std::string("pass") : "FAIL: " + fmt::format("{}", fmt::join(missed, "; "))) << " |";
    csv << csv_field(name) << ",floors_passed," << (missed.empty() ? 1 : 0) << ",0,1,0\n";
    for (const auto& column : columns) {
      const Stat& stat = stats[name][column];
      csv << csv_field(name) << "," << column << "," << fmt::format("{:.6g},{:.6g},{},{}", stat.mean, stat.std, stat.count, stat.failed) << "\n";
      const bool set_measure = std::find(set_columns().begin(), set_columns().end(), column) != set_columns().end();
      const std::string cell = std::isnan(stat.mean) ? "—"
                               : set_measure         ? fmt::format("{:.4g}", stat.mean)
                                                     : fmt::format("{:.4g} ± {:.2g}", stat.mean, stat.std);
      md << " " << (best.count(column) && best[column] == name ? "**" + cell + "**" : cell) << " |";
    }
    md << "\n";
  }
  write_file_atomic(folder / "summary.csv", csv.str());
  write_file_atomic(folder / "summary.md", md.str());
  return md.str();
}

void write_report_html(const fs::path& folder, const std::string& summary_markdown, const std::vector<std::string>& images) {
  std::ostringstream html;
  html << "<!doctype html><html><head><meta charset=\"utf-8\"><title>varstyle evaluation</title>"
       << "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
       << "padding:4px 8px;text-align:right}td.fail{color:#a00;text-align:left}img{max-width:100%;image-rendering:pixelated}</style></head><body>"
       << "<h1>varstyle evaluation</h1>";
  // The Markdown table as HTML.
  std::istringstream lines(summary_markdown);
  bool in_table = false;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("|", 0) != 0) {
      if (!line.empty()) html << "<p>" << bold_spans(html_escape(line)) << "</p>";
      continue;
    }
    if (line.find("---") != std::string::npos) continue;
    if (!in_table) html << "<table>";
    html << "<tr>";
    std::istringstream cells(line.substr(1));
    for (std::string cell; std::getline(cells, cell, '|');) {
      const bool bold = cell.find("**") != std::string::npos;
      const bool failing = cell.find("FAIL:") != std::string::npos;
      std::string text = cell;
      text.erase(std::remove(text.begin(), text.end(), '*'), text.end());
      html << (in_table ? (failing ? "<td class=\"fail\">" : "<td>") : "<th>") << (bold ? "<b>" : "") << html_escape(text) << (bold ? "</b>" : "")
           << (in_table ? "</td>" : "</th>");
    }
    html << "</tr>";
    in_table = true;
  }
  if (in_table) html << "</table>";
  html << "<p>Per-pair values: <a href=\"metrics.csv\">metrics.csv</a>; configuration: <a href=\"config.yaml\">config.yaml</a>.</p>";
  for (const auto& image : images)
    html << "<h2>" << html_escape(image) << "</h2><img src=\"" << html_escape(image) << "\" alt=\"" << html_escape(image) << "\">";
  html << "</body></html>\n";
  write_file_atomic(folder / "report.html", html.str());
}

}  // namespace varstyle
