// varstyle-prep images: folder walk, labels from sub-folders, decode per file, sharding.
#include <algorithm>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <opencv2/core.hpp>

#include "core/error.h"
#include "prep_commands.h"

namespace varstyle {
namespace fs = std::filesystem;

int resolve_threads(int requested) {
  if (requested > 0) return requested;
  return std::max(1u, std::thread::hardware_concurrency());
}

namespace {

struct InputFile {
  fs::path path;        // as found on disk
  std::string source;   // recorded name: relative path (prefixed by the input's name if several)
  std::string label;    // first sub-folder, "" at the input's top level
};

std::vector<InputFile> collect_files(const std::vector<fs::path>& inputs) {
  std::vector<InputFile> files;
  for (const auto& input : inputs) {
    std::error_code ec;
    if (!fs::is_directory(input, ec))
      throw ConfigError(fmt::format("--input {}: not a folder", input.string()));
    std::vector<InputFile> found;
    const auto options = fs::directory_options::skip_permission_denied;
    for (fs::recursive_directory_iterator it(input, options, ec), end; !ec && it != end; it.increment(ec)) {
      const auto& entry = *it;
      std::error_code type_ec;
      // Everything with an image extension but folders: a dangling link, a FIFO or a device is
      // kept so that the report lists it (the decoder skips it without reading).
      if (entry.is_directory(type_ec) || !has_image_extension(entry.path())) continue;
      InputFile file;
      file.path = entry.path();
      const fs::path relative = entry.path().lexically_relative(input);
      // Recorded names are UTF-8 text; the path itself stays as found, to read the file.
      file.source = escape_invalid_utf8(relative.generic_string());
      auto part = relative.begin();
      if (std::distance(relative.begin(), relative.end()) > 1) file.label = escape_invalid_utf8(part->string());
      found.push_back(std::move(file));
    }
    if (ec) throw Error(fmt::format("--input {}: cannot walk the folder: {}", input.string(), ec.message()));
    std::sort(found.begin(), found.end(),
              [](const InputFile& a, const InputFile& b) { return a.source < b.source; });
    if (inputs.size() > 1) {
      const std::string prefix = escape_invalid_utf8(fs::absolute(input).lexically_normal().filename().string());
      for (auto& file : found) file.source = (prefix.empty() ? "input" : prefix) + "/" + file.source;
    }
    files.insert(files.end(), found.begin(), found.end());
  }
  return files;
}

}  // namespace

PrepSummary prep_images(const ImagesOptions& options) {
  if (options.inputs.empty()) throw ConfigError("images: at least one --input folder is needed");
  if (options.labels != "none" && options.labels != "subdirs")
    throw ConfigError(fmt::format("--labels {}: expected none or subdirs", options.labels));
  const std::vector<InputFile> files = collect_files(options.inputs);
  if (files.empty()) {
    std::string folders;
    for (const auto& input : options.inputs) folders += " " + input.string();
    throw Error(fmt::format("no image files (jpg, jpeg, png, bmp, webp, tif, tiff) found under{}",
                            folders), ExitCode::kNothingDone);
  }

  PrepJob job;
  job.kind = "images";
  job.output = options.output;
  job.size = options.size;
  job.shard_size = options.shard_size;
  job.threads = resolve_threads(options.threads);
  job.progress = options.progress;
  job.options_fingerprint = fmt::format("min_side={} max_pixels={} labels={}", options.min_side,
                                        options.max_pixels, options.labels);
  for (const auto& file : files) job.sources.push_back(file.source);
  if (options.labels == "subdirs") {
    std::set<std::string> names;
    for (const auto& file : files)
      if (!file.label.empty()) names.insert(file.label);
    job.label_names.assign(names.begin(), names.end());
    for (const auto& file : files) {
      auto it = std::lower_bound(job.label_names.begin(), job.label_names.end(), file.label);
      job.labels.push_back(file.label.empty() ? -1 : static_cast<int32_t>(it - job.label_names.begin()));
    }
  }
  DecodeOptions decode;
  decode.size = options.size;
  decode.min_side = options.min_side;
  decode.max_pixels = options.max_pixels;
  // Parallelism comes from the file-level workers; OpenCV's own pool would oversubscribe them.
  cv::setNumThreads(1);
  job.produce = [&files, decode](size_t item) {
    DecodedImage image = decode_square_image(files[item].path, decode);
    return ProducedImage{image.rgb, image.reason};
  };
  return run_prep_job(job);
}

}  // namespace varstyle
