// The one CSV writer (RFC 4180 fields): every CSV file the tools write goes through it, so a
// name holding a comma or a quote cannot shift or break the columns.
#pragma once

#include <string>
#include <vector>

namespace varstyle {

// `text` as one field: quoted, with quotes doubled, when it holds a comma, a quote or a line
// break, or always when `always_quote` (for columns whose values are quoted whatever they hold).
inline std::string csv_field(const std::string& text, bool always_quote = false) {
  if (!always_quote && text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

// Fields already made with csv_field (or plain numbers), joined into one line with its newline.
inline std::string csv_line(const std::vector<std::string>& fields) {
  std::string line;
  for (size_t i = 0; i < fields.size(); ++i) line += (i ? "," : "") + fields[i];
  return line + "\n";
}

}  // namespace varstyle
