// The explorer's content and style images from the command line: each argument an image file,
// a folder of images (recursive, sorted; the first sub-folder is the label, as varstyle-prep's
// --labels subdirs) or a varstyle-prep output (its manifest's labels).
#pragma once

#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace varstyle {

struct SourceImage {
  std::string name;   // the file's path relative to its argument, or the upload's name
  std::string label;  // "" without one
  cv::Mat rgb;        // CV_8UC3 RGB, as read (any size)
};

// At most `limit` images over all `arguments`, in argument order. Throws ConfigError naming
// `option` and the argument when it is missing or holds no image.
std::vector<SourceImage> load_source_images(const std::string& option, const std::vector<std::string>& arguments,
                                            size_t limit);

}  // namespace varstyle
