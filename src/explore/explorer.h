// The explorer's state behind the HTTP server: one trained model, the content row and the style
// presets, and the caches that make a slider move cheap (each content's prepared features per
// size, each style's code or features). One mutex guards it all: the model is not re-entrant,
// so concurrent clients take turns.
#pragma once

#include <c10/core/Device.h>

#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "explore/image_sources.h"
#include "explore/latent_summary.h"
#include "explore/view_request.h"
#include "checkpoint/checkpoint_model.h"

namespace varstyle {

// Styles are encoded at this short side whatever the page's size, so a preset's code and the
// slider order do not change with the size choice.
inline constexpr int kStyleSide = 256;
inline constexpr size_t kMaxContents = 8;
inline constexpr size_t kMaxUploadedStyles = 32;

class Explorer {
 public:
  // bf16: the decoder part that runs on every view does so under bf16 autocast (--bf16); the
  // encodings, done once, stay fp32 so that the sliders' codes and order are the fp32 ones.
  Explorer(LoadedModel loaded, std::vector<SourceImage> contents, std::vector<SourceImage> styles,
           const c10::Device& device, bool bf16 = false);

  // What the page needs before its first render: the model, the sliders (dimension order and
  // variance), the contents, the style and label presets.
  nlohmann::json page_state();
  ViewLimits limits();
  // One PNG per content, in row order, decoded with `view`.
  std::vector<std::string> render(const View& view);
  // The code file of a code view (RequestError for a style mix: only a code reproduces exactly).
  nlohmann::json export_code(const View& view);
  // Adds an uploaded image (decoded already) to the row ("content") or the presets ("style");
  // returns its entry as page_state lists it.
  nlohmann::json add_image(const std::string& role, SourceImage image);
  // A small PNG of content or style `index` for the page's buttons.
  std::string thumbnail(const std::string& role, size_t index);

 private:
  struct Prepared {
    StyleModel::PreparedContent content;
    int64_t height = 0, width = 0;  // before padding
  };
  const Prepared& prepared(size_t content, int size);  // caller holds mutex_
  nlohmann::json style_entry(size_t index) const;
  void check_view(const View& view) const;

  std::mutex mutex_;
  LoadedModel loaded_;
  c10::Device device_;
  bool bf16_;
  std::vector<SourceImage> contents_, styles_;
  std::vector<at::Tensor> style_states_;  // prepare_style of each style, on device_
  size_t given_styles_ = 0;               // styles from the command line (the rest uploaded)
  LatentSummary summary_;
  std::map<std::pair<size_t, int>, Prepared> prepared_;  // (content, size)
};

}  // namespace varstyle
