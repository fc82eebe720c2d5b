// floor_failures: each floor checked, each miss named with its value.
#include "eval/quality_floors.h"

#include <cmath>

#include <fmt/format.h>

namespace varstyle {

std::vector<std::string> floor_failures(const std::map<std::string, double>& values, bool has_style_code,
                                        const QualityFloors& floors) {
  std::vector<std::string> reasons;
  const auto check = [&](const std::string& name, double bound, bool at_least) {
    const auto it = values.find(name);
    if (it == values.end() || std::isnan(it->second)) {
      reasons.push_back(fmt::format("{} not measured", name));
      return;
    }
    const double v = it->second;
    if (at_least ? v < bound : v > bound) reasons.push_back(fmt::format("{} {:.3g} {} {:.3g}", name, v, at_least ? "<" : ">", bound));
  };
  check("structure", floors.structure, true);
  check("colour", floors.colour, false);
  check("texture", floors.texture, false);
  check("style_sensitivity", floors.style_sensitivity, true);
  if (has_style_code) {
    check("sample_diversity", floors.sample_diversity, true);
    const auto active = values.find("active_dims"), dims = values.find("latent_dim");
    if (active == values.end() || dims == values.end()) {
      reasons.push_back("active_dims not measured");
    } else if (active->second < floors.active_fraction * dims->second) {
      reasons.push_back(fmt::format("active_dims {:.0f} < {:.0f} of {:.0f}", active->second,
                                    std::ceil(floors.active_fraction * dims->second), dims->second));
    }
  }
  return reasons;
}

}  // namespace varstyle
