// Which files are images to varstyle (varstyle-prep's folder walk, the evaluator's image folders).
#pragma once

#include <filesystem>

namespace varstyle {

// True for .jpg, .jpeg, .png, .bmp, .webp, .tif and .tiff, in any case.
bool has_image_extension(const std::filesystem::path& path);

}  // namespace varstyle
