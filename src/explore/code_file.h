// The exported view of the explorer (a code z with alpha and size), as the JSON file that
// `varstyle stylize --code` and `varstyle sample --code` read to reproduce it exactly.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace varstyle {

inline constexpr const char* kCodeFileFormat = "varstyle-code";

struct CodeFile {
  std::string kind;         // the model kind it was exported from
  std::vector<float> code;  // z, exactly as decoded (float32 values, written without rounding)
  double alpha = 1.0;
  int size = 256;           // the content's short side in the explorer
  std::string checkpoint;   // the model file it was exported from (informative)
};

nlohmann::json code_file_json(const CodeFile& file);
// Throws ConfigError naming the file, the key and the reason.
CodeFile read_code_file(const std::filesystem::path& path);

}  // namespace varstyle
