// Writing and reading the exported code file. float32 values go through double unchanged, so a
// code survives the round trip bit for bit.
#include "explore/code_file.h"

#include <cmath>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "core/error.h"

namespace varstyle {

nlohmann::json code_file_json(const CodeFile& file) {
  std::vector<double> code(file.code.begin(), file.code.end());
  return {{"format", kCodeFileFormat}, {"format_version", 1}, {"kind", file.kind},       {"latent_dim", code.size()},
          {"code", code},             {"alpha", file.alpha},  {"size", file.size},       {"checkpoint", file.checkpoint}};
}

CodeFile read_code_file(const std::filesystem::path& path) {
  const std::string name = path.string();
  std::ifstream in(path);
  if (!in) throw ConfigError(fmt::format("--code {}: cannot open the file", name));
  std::stringstream text;
  text << in.rdbuf();
  const nlohmann::json json = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object())
    throw ConfigError(fmt::format("--code {}: not a JSON object (export one from varstyle explore)", name));
  auto problem = [&](const std::string& key, const std::string& reason) {
    return ConfigError(fmt::format("--code {}: {}: {}", name, key, reason));
  };
  if (!json.contains("format") || json["format"] != kCodeFileFormat) throw problem("format", fmt::format("expected \"{}\"", kCodeFileFormat));
  CodeFile file;
  if (!json.contains("kind") || !json["kind"].is_string()) throw problem("kind", "expected the model kind");
  file.kind = json["kind"].get<std::string>();
  if (!json.contains("code") || !json["code"].is_array() || json["code"].empty()) throw problem("code", "expected an array of numbers");
  for (size_t i = 0; i < json["code"].size(); ++i) {
    const auto& value = json["code"][i];
    if (!value.is_number() || !std::isfinite(value.get<double>())) throw problem(fmt::format("code[{}]", i), "not a finite number");
    file.code.push_back(static_cast<float>(value.get<double>()));
  }
  if (json.contains("latent_dim") && json["latent_dim"] != file.code.size())
    throw problem("latent_dim", fmt::format("{} but the code has {} numbers", json["latent_dim"].dump(), file.code.size()));
  if (json.contains("alpha")) {
    const auto& alpha = json["alpha"];
    if (!alpha.is_number() || !(alpha.get<double>() >= 0.0 && alpha.get<double>() <= 1.0)) throw problem("alpha", "expected a number in [0, 1]");
    file.alpha = alpha.get<double>();
  }
  if (json.contains("size")) {
    const auto& size = json["size"];
    if (!size.is_number_integer() || size.get<int64_t>() < 16 || size.get<int64_t>() > 8192) throw problem("size", "expected a whole number of pixels, 16 to 8192");
    file.size = size.get<int>();
  }
  if (json.contains("checkpoint") && json["checkpoint"].is_string()) file.checkpoint = json["checkpoint"].get<std::string>();
  return file;
}

}  // namespace varstyle
