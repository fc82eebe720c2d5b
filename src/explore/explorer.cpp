// Explorer: encodes each content once per size and each style once, then answers a view with
// the decoder part only.
#include "explore/explorer.h"

#include <ATen/core/grad_mode.h>

#include <fmt/format.h>

#include "image/grid.h"
#include "image/image_io.h"
#include "explore/code_file.h"
#include "explore/png_codec.h"
#include "explore/request_error.h"
#include "nets/autocast_scope.h"

namespace varstyle {

namespace {

// The networks pool three times (as varstyle stylize): inputs are padded to multiples of 8.
constexpr int64_t kMultiple = 8;
constexpr int kThumbnailSide = 96;

at::Tensor image_tensor(const cv::Mat& rgb, int side, const c10::Device& device) {
  return from_rgb_image(resize_short_side(rgb, side)).to(device);
}

}  // namespace

Explorer::Explorer(LoadedModel loaded, std::vector<SourceImage> contents, std::vector<SourceImage> styles,
                   const c10::Device& device, bool bf16)
    : loaded_(std::move(loaded)), device_(device), bf16_(bf16), contents_(std::move(contents)), styles_(std::move(styles)) {
  at::NoGradGuard no_grad;
  loaded_.model->eval();
  std::vector<std::string> labels;
  for (const auto& style : styles_) {
    style_states_.push_back(loaded_.model->prepare_style(image_tensor(style.rgb, kStyleSide, device_)));
    labels.push_back(style.label);
  }
  given_styles_ = styles_.size();
  if (loaded_.model->has_style_code() && !style_states_.empty())
    summary_ = summarise_codes(at::cat(style_states_, 0), labels);
}

ViewLimits Explorer::limits() {
  std::lock_guard<std::mutex> lock(mutex_);
  const int64_t dims = loaded_.model->code_size();
  return {loaded_.config.model.kind, dims, styles_.size()};
}

nlohmann::json Explorer::style_entry(size_t index) const {
  nlohmann::json entry = {{"id", index}, {"name", styles_[index].name}, {"label", styles_[index].label},
                          {"uploaded", index >= given_styles_}};
  if (loaded_.model->has_style_code()) {
    const at::Tensor code = style_states_[index][0].to(at::kCPU, at::kFloat).contiguous();
    entry["code"] = std::vector<float>(code.data_ptr<float>(), code.data_ptr<float>() + code.numel());
  }
  return entry;
}

nlohmann::json Explorer::page_state() {
  std::lock_guard<std::mutex> lock(mutex_);
  nlohmann::json state;
  state["kind"] = loaded_.config.model.kind;
  state["has_code"] = loaded_.model->has_style_code();
  state["model_file"] = loaded_.model_file.string();
  state["sizes"] = std::vector<int>(std::begin(kViewSizes), std::end(kViewSizes));
  state["slider_range"] = 3.0;  // +-3 sigma of the N(0, I) prior
  state["dims"] = nlohmann::json::array();
  for (int64_t d : summary_.order)
    state["dims"].push_back({{"index", d}, {"variance", summary_.variance[static_cast<size_t>(d)]}});
  if (loaded_.model->has_style_code() && summary_.order.empty())
    for (int64_t d = 0; d < loaded_.model->code_size(); ++d) state["dims"].push_back({{"index", d}, {"variance", 0.0}});
  state["contents"] = nlohmann::json::array();
  for (size_t i = 0; i < contents_.size(); ++i) state["contents"].push_back({{"id", i}, {"name", contents_[i].name}});
  state["styles"] = nlohmann::json::array();
  for (size_t i = 0; i < styles_.size(); ++i) state["styles"].push_back(style_entry(i));
  state["labels"] = nlohmann::json::array();
  for (const auto& preset : summary_.labels)
    state["labels"].push_back({{"name", preset.name}, {"count", preset.count}, {"code", preset.code}});
  return state;
}

const Explorer::Prepared& Explorer::prepared(size_t content, int size) {
  const auto key = std::make_pair(content, size);
  auto found = prepared_.find(key);
  if (found != prepared_.end()) return found->second;
  const at::Tensor image = image_tensor(contents_[content].rgb, size, device_);
  Prepared entry{loaded_.model->prepare_content(pad_to_multiple(image, kMultiple)), image.size(2), image.size(3)};
  return prepared_.emplace(key, std::move(entry)).first->second;
}

void Explorer::check_view(const View& view) const {
  for (const auto& part : view.styles)
    if (part.style >= styles_.size()) throw RequestError(fmt::format("styles: {} is not a style index", part.style));
}

std::vector<std::string> Explorer::render(const View& view) {
  std::lock_guard<std::mutex> lock(mutex_);
  check_view(view);
  at::NoGradGuard no_grad;  // thread-local: every server thread needs its own
  at::Tensor code;
  if (!view.code.empty())
    code = at::tensor(at::ArrayRef<float>(view.code)).view({1, -1}).to(device_);
  std::vector<at::Tensor> styles;
  std::vector<double> weights;
  for (const auto& part : view.styles) {
    styles.push_back(style_states_[part.style]);
    weights.push_back(part.weight);
  }
  std::vector<std::string> images;
  for (size_t i = 0; i < contents_.size(); ++i) {
    const Prepared& entry = prepared(i, view.size);
    at::Tensor output;
    {
      AutocastScope autocast(bf16_, device_.type());
      output = code.defined() ? loaded_.model->decode_prepared(entry.content, code, view.alpha)
                              : loaded_.model->mix_prepared(entry.content, styles, weights, view.alpha);
    }
    output = output.to(at::kFloat);  // a bf16 decode still writes the PNG from fp32, as stylize does
    images.push_back(encode_png(to_rgb_image(output.narrow(2, 0, entry.height).narrow(3, 0, entry.width)[0])));
  }
  return images;
}

nlohmann::json Explorer::export_code(const View& view) {
  if (view.code.empty()) throw RequestError("only a code view can be exported for --code (this view mixes styles)");
  std::lock_guard<std::mutex> lock(mutex_);
  return code_file_json({loaded_.config.model.kind, view.code, view.alpha, view.size, loaded_.model_file.string()});
}

nlohmann::json Explorer::add_image(const std::string& role, SourceImage image) {
  std::lock_guard<std::mutex> lock(mutex_);
  at::NoGradGuard no_grad;
  if (role == "content") {
    if (contents_.size() >= kMaxContents)
      throw RequestError(fmt::format("the row holds at most {} contents", kMaxContents));
    contents_.push_back(std::move(image));
    return {{"id", contents_.size() - 1}, {"name", contents_.back().name}};
  }
  if (styles_.size() - given_styles_ >= kMaxUploadedStyles)
    throw RequestError(fmt::format("at most {} styles can be uploaded", kMaxUploadedStyles));
  style_states_.push_back(loaded_.model->prepare_style(image_tensor(image.rgb, kStyleSide, device_)));
  styles_.push_back(std::move(image));
  return style_entry(styles_.size() - 1);
}

std::string Explorer::thumbnail(const std::string& role, size_t index) {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto& images = role == "content" ? contents_ : styles_;
  if (index >= images.size()) throw RequestError(fmt::format("no {} {}", role, index), 404);
  return encode_png(resize_short_side(images[index].rgb, kThumbnailSide));
}

}  // namespace varstyle
