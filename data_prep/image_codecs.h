// PNG, BMP, WebP and TIFF through OpenCV's imgcodecs, which varstyle-prep loads from a module
// beside the executable only when it meets such a file: imgcodecs brings some 90 libraries
// (GDAL, GDCM, libheif, ...) whose loading cost about 0.1 s at every start, JPEG-only runs too.
#pragma once

#include <string>

#include <opencv2/core.hpp>

namespace varstyle {

// What cv::imdecode(bytes, IMREAD_UNCHANGED) gave: the image (empty when the decoder failed), or
// the text of the exception it threw.
struct ImdecodeResult {
  cv::Mat image;
  bool threw = false;
  bool unavailable = false;  // the module could not be loaded
  std::string what;   // cv::Exception::what(): names the limit when a pixel limit was hit
  std::string error;  // cv::Exception::err, or why the module could not be loaded
};

// The module's one entry point, looked up by this name; it never throws.
using ImdecodeFunction = void (*)(const std::string& bytes, ImdecodeResult* result);
inline constexpr char kImdecodeSymbol[] = "varstyle_imdecode";

// Decodes through the module, loading it on the first call (thread-safe). A module that cannot
// be loaded comes back as `unavailable` with the loader's message, so the file is skipped with
// a reason.
ImdecodeResult imdecode_unchanged(const std::string& bytes);

}  // namespace varstyle
