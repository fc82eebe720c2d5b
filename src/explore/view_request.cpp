// Parsing and range-checking a view request from the page.
#include "explore/view_request.h"

#include <cmath>

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "explore/request_error.h"

namespace varstyle {

namespace {

using nlohmann::json;

// The number at `key`, finite and within [low, high], or a 400 naming it.
double number_in(const json& value, const std::string& key, double low, double high) {
  if (!value.is_number()) throw RequestError(fmt::format("{}: expected a number, got {}", key, value.dump()));
  const double number = value.get<double>();
  if (!std::isfinite(number) || number < low || number > high)
    throw RequestError(fmt::format("{}: {} is outside [{}, {}]", key, value.dump(), low, high));
  return number;
}

std::vector<float> parse_code(const json& value, const ViewLimits& limits) {
  if (limits.code_size == 0)
    throw RequestError(fmt::format("code: model kind '{}' has no style code; mix styles instead", limits.kind));
  if (!value.is_array() || static_cast<int64_t>(value.size()) != limits.code_size)
    throw RequestError(fmt::format("code: expected an array of {} numbers (the model's style code)", limits.code_size));
  std::vector<float> code;
  for (size_t i = 0; i < value.size(); ++i)
    code.push_back(static_cast<float>(number_in(value[i], fmt::format("code[{}]", i), -kCodeLimit, kCodeLimit)));
  return code;
}

std::vector<StyleWeight> parse_styles(const json& value, const ViewLimits& limits) {
  if (!value.is_array() || value.empty() || value.size() > kMaxMixedStyles)
    throw RequestError(fmt::format("styles: expected an array of 1 to {} {{\"style\": index, \"weight\": w}}", kMaxMixedStyles));
  if (limits.style_count == 0) throw RequestError("styles: the explorer has no styles loaded");
  std::vector<StyleWeight> styles;
  for (size_t i = 0; i < value.size(); ++i) {
    const json& entry = value[i];
    const std::string key = fmt::format("styles[{}]", i);
    if (!entry.is_object() || !entry.contains("style") || !entry.contains("weight") || entry.size() != 2)
      throw RequestError(fmt::format("{}: expected {{\"style\": index, \"weight\": w}}", key));
    const json& index = entry.at("style");
    if (!index.is_number_integer() || index.get<int64_t>() < 0 || index.get<int64_t>() >= static_cast<int64_t>(limits.style_count))
      throw RequestError(fmt::format("{}.style: {} is not a style index (0 to {})", key, index.dump(), limits.style_count - 1));
    styles.push_back({index.get<size_t>(), number_in(entry.at("weight"), key + ".weight", 0.0, 1.0)});
  }
  return styles;
}

}  // namespace

View parse_view(const std::string& body, const ViewLimits& limits) {
  const json json_view = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json_view.is_discarded()) throw RequestError("the request body is not valid JSON");
  if (!json_view.is_object()) throw RequestError("expected a JSON object {code | styles, alpha, size}");
  View view;
  for (const auto& [key, value] : json_view.items()) {
    if (key == "code") {
      view.code = parse_code(value, limits);
    } else if (key == "styles") {
      view.styles = parse_styles(value, limits);
    } else if (key == "alpha") {
      view.alpha = number_in(value, "alpha", 0.0, 1.0);
    } else if (key == "size") {
      if (!value.is_number_integer()) throw RequestError(fmt::format("size: expected 128, 256 or 512, got {}", value.dump()));
      const int64_t size = value.get<int64_t>();
      bool offered = false;
      for (int known : kViewSizes) offered = offered || known == size;
      if (!offered) throw RequestError(fmt::format("size: {} is not one of 128, 256, 512", value.dump()));
      view.size = static_cast<int>(size);
    } else {
      throw RequestError(fmt::format("unknown key '{}' (expected code, styles, alpha, size)", key));
    }
  }
  if (view.code.empty() == view.styles.empty()) throw RequestError("give exactly one of 'code' and 'styles'");
  return view;
}

}  // namespace varstyle
