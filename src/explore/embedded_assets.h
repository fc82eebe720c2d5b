// The explorer's page (src/explore/assets/), compiled into the binary by embed_assets.cmake: the
// server answers from this table only, so no request path reaches the file system.
#pragma once

#include <string_view>
#include <vector>

namespace varstyle {

struct EmbeddedAsset {
  std::string_view path;          // "/index.html"
  std::string_view content_type;  // "text/html; charset=utf-8"
  std::string_view body;
};

const std::vector<EmbeddedAsset>& embedded_assets();

// The asset served at `path` ("/" is "/index.html"), or null.
const EmbeddedAsset* find_asset(std::string_view path);

}  // namespace varstyle
