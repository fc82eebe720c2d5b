// Looking up an embedded asset by its URL path.
#include "explore/embedded_assets.h"

namespace varstyle {

const EmbeddedAsset* find_asset(std::string_view path) {
  if (path == "/") path = "/index.html";
  for (const auto& asset : embedded_assets())
    if (asset.path == path) return &asset;
  return nullptr;
}

}  // namespace varstyle
