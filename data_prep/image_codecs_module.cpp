// The module varstyle-prep loads for formats other than JPEG: OpenCV's imdecode behind one C
// symbol, every exception caught on this side of the boundary.
#include <new>

#include <opencv2/imgcodecs.hpp>

#include "image_codecs.h"

extern "C" __attribute__((visibility("default"))) void varstyle_imdecode(const std::string& bytes,
                                                                         varstyle::ImdecodeResult* result) {
  try {
    cv::Mat buffer(1, static_cast<int>(bytes.size()), CV_8UC1, const_cast<char*>(bytes.data()));
    result->image = cv::imdecode(buffer, cv::IMREAD_UNCHANGED);
  } catch (const cv::Exception& e) {
    result->threw = true;
    result->what = e.what();
    result->error = e.err;
  } catch (const std::bad_alloc&) {
    result->threw = true;
    result->error = "out of memory while decoding";
  }
}
