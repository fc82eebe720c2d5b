// The image extensions varstyle reads.
#include "data/image_files.h"

#include <cctype>
#include <string>

namespace varstyle {

bool has_image_extension(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".bmp" || ext == ".webp" ||
         ext == ".tif" || ext == ".tiff";
}

}  // namespace varstyle
