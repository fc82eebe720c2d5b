// Reading command-line images the way `varstyle stylize` does (read_image_rgb), so that an
// exported view reproduces from the same file, and varstyle-prep outputs through the dataset
// reader.
#include "explore/image_sources.h"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "core/error.h"
#include "data/image_files.h"
#include "data/shard_dataset.h"
#include "image/image_io.h"

namespace varstyle {
namespace fs = std::filesystem;

namespace {

void add_dataset(const fs::path& folder, size_t limit, std::vector<SourceImage>& images) {
  ShardedDataset dataset(folder);
  const int side = static_cast<int>(dataset.image_size());
  const auto& label_names = dataset.manifest().label_names;
  for (int64_t i = 0; i < dataset.size() && images.size() < limit; ++i) {
    SourceImage image;
    image.rgb = cv::Mat(side, side, CV_8UC3);
    dataset.read(i, image.rgb.data);
    image.name = dataset.source(i);
    const int32_t label = dataset.label(i);
    if (label >= 0 && static_cast<size_t>(label) < label_names.size()) image.label = label_names[static_cast<size_t>(label)];
    images.push_back(std::move(image));
  }
}

void add_folder(const fs::path& folder, size_t limit, std::vector<SourceImage>& images) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(folder))
    if (entry.is_regular_file() && has_image_extension(entry.path())) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    if (images.size() >= limit) break;
    const fs::path relative = fs::relative(file, folder);
    const std::string label = std::distance(relative.begin(), relative.end()) > 1 ? relative.begin()->string() : "";
    images.push_back({relative.generic_string(), label, read_image_rgb(file)});
  }
}

}  // namespace

std::vector<SourceImage> load_source_images(const std::string& option, const std::vector<std::string>& arguments,
                                            size_t limit) {
  std::vector<SourceImage> images;
  for (const auto& argument : arguments) {
    const size_t before = images.size();
    const fs::path path(argument);
    std::error_code ec;
    try {
      if (fs::is_regular_file(path, ec)) {
        if (images.size() < limit) images.push_back({path.filename().string(), "", read_image_rgb(path)});
        continue;
      }
      if (fs::exists(path / "manifest.json", ec)) {
        add_dataset(path, limit, images);
      } else if (fs::is_directory(path, ec)) {
        add_folder(path, limit, images);
      } else {
        throw ConfigError(fmt::format("{} {}: no such image, folder or varstyle-prep output", option, argument));
      }
    } catch (const ConfigError&) {
      throw;
    } catch (const Error& e) {
      throw ConfigError(fmt::format("{} {}: {}", option, argument, e.what()));
    }
    if (images.size() == before && images.size() < limit)
      throw ConfigError(fmt::format("{} {}: holds no image", option, argument));
  }
  return images;
}

}  // namespace varstyle
