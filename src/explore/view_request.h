// What the page asks the explorer to show: a code z (models with one) or a weighted mix of
// style presets (any model), alpha and the size. Parsed from untrusted JSON: every problem is a
// RequestError (400) naming the field and the value.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace varstyle {

// Sizes the page offers; anything else is refused (a size is also what the caches are keyed by).
inline constexpr int kViewSizes[] = {128, 256, 512};
// |z_i| above this is refused: the sliders span +-3 sigma of the prior, presets rarely pass 10.
inline constexpr double kCodeLimit = 100.0;
inline constexpr size_t kMaxMixedStyles = 8;

struct StyleWeight {
  size_t style = 0;  // index into the explorer's styles
  double weight = 0;
};

struct View {
  std::vector<float> code;          // empty: the view mixes `styles`
  std::vector<StyleWeight> styles;
  double alpha = 1.0;
  int size = 256;
};

struct ViewLimits {
  std::string kind;          // the model kind, for messages
  int64_t code_size = 0;     // the style code's length; 0: the model has none
  size_t style_count = 0;
};

View parse_view(const std::string& body, const ViewLimits& limits);

}  // namespace varstyle
