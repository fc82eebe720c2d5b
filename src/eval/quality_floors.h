// The quality floors a method must reach before it may be called the best at anything: set
// between what the Gatys baseline reaches with random weights and what degenerate outputs
// (stripes, flat colour, an ignored style, a collapsed code) reach. See docs/quality.md.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace varstyle {

struct QualityFloors {
  double structure = 0.45;         // at least
  double colour = 0.75;            // at most
  double texture = 0.8;            // at most
  double style_sensitivity = 0.3;  // at least
  double sample_diversity = 0.2;   // at least, models with a style code
  double active_fraction = 0.5;    // at least, of the latent dimensions
};

// Per-method values by name: structure, colour, texture (means over pairs), style_sensitivity,
// and for models with a code sample_diversity, active_dims and latent_dim. Returns one reason
// per floor missed ("colour 0.92 > 0.75"); empty when every floor holds. A value that is
// missing for a floor that applies is a failure too.
std::vector<std::string> floor_failures(const std::map<std::string, double>& values, bool has_style_code,
                                        const QualityFloors& floors = {});

}  // namespace varstyle
