// JPEG decoding's scale choice for given sizes, and decodes at each scale it picks staying close
// to a full-size decode reduced by OpenCV's INTER_AREA.
#include "jpeg_decode.h"

#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace varstyle {
namespace {

TEST(JpegDecode, ScaleIsTheSmallestSimdScaleKeepingTheShorterSide) {
  EXPECT_EQ(jpeg_scale_eighths(4000, 3000, 256), 1);  // 500 x 375
  EXPECT_EQ(jpeg_scale_eighths(2048, 1536, 256), 2);  // 1/8 gives 192: too small
  EXPECT_EQ(jpeg_scale_eighths(2041, 2041, 256), 1);  // libjpeg rounds up: ceil(255.1) = 256
  EXPECT_EQ(jpeg_scale_eighths(2040, 2040, 256), 2);  // 255 at 1/8
  EXPECT_EQ(jpeg_scale_eighths(1280, 960, 256), 4);   // 3/8 (360) is passed over: scalar IDCT
  EXPECT_EQ(jpeg_scale_eighths(683, 512, 256), 4);    // exactly 256
  EXPECT_EQ(jpeg_scale_eighths(512, 683, 256), 4);    // portrait: the shorter side decides
  EXPECT_EQ(jpeg_scale_eighths(684, 511, 256), 4);    // ceil(255.5) = 256
  EXPECT_EQ(jpeg_scale_eighths(684, 510, 256), 8);    // 255 at 4/8: 5/8 to 7/8 passed over
  EXPECT_EQ(jpeg_scale_eighths(300, 200, 256), 8);    // smaller than the target: full size
}

cv::Mat photo_like_bgr(int width, int height) {
  cv::Mat image(height, width, CV_8UC3);
  cv::RNG rng(11);
  rng.fill(image, cv::RNG::UNIFORM, 0, 256);
  cv::GaussianBlur(image, image, cv::Size(9, 9), 3.0);  // neighbours correlate, as in photos
  return image;
}

// Full-size decode, short side to `size` with INTER_AREA, centre crop: what the scaled decode
// approximates.
cv::Mat full_decode_reference(const std::string& bytes, int size) {
  cv::Mat bgr = cv::imdecode(std::vector<uchar>(bytes.begin(), bytes.end()), cv::IMREAD_COLOR);
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  const double scale = static_cast<double>(size) / std::min(rgb.cols, rgb.rows);
  const cv::Size reduced(std::max(size, static_cast<int>(std::lround(rgb.cols * scale))),
                         std::max(size, static_cast<int>(std::lround(rgb.rows * scale))));
  cv::Mat resized;
  cv::resize(rgb, resized, reduced, 0, 0, cv::INTER_AREA);
  return resized(cv::Rect((reduced.width - size) / 2, (reduced.height - size) / 2, size, size)).clone();
}

TEST(JpegDecode, EveryScaleStaysCloseToAFullDecode) {
  for (const cv::Size source : {cv::Size(640, 480), cv::Size(360, 560)}) {
    std::vector<uchar> encoded;
    ASSERT_TRUE(cv::imencode(".jpg", photo_like_bgr(source.width, source.height), encoded,
                             {cv::IMWRITE_JPEG_QUALITY, 95}));
    const std::string bytes(encoded.begin(), encoded.end());
    const int shorter = std::min(source.width, source.height);
    // Targets that make the decoder pick 1/8, 2/8, 4/8 and 8/8.
    for (const int size : {shorter / 8, shorter / 4, shorter / 2 - 10, shorter - 20}) {
      DecodeOptions options;
      options.size = size;
      options.min_side = 8;
      const DecodedImage decoded = decode_jpeg(bytes, options);
      ASSERT_TRUE(decoded.ok()) << decoded.reason;
      ASSERT_EQ(decoded.rgb.size(), cv::Size(size, size));
      cv::Mat difference;
      cv::absdiff(decoded.rgb, full_decode_reference(bytes, size), difference);
      EXPECT_LT(cv::mean(difference)[0], 2.0) << source << " at " << size << " (scale "
                                              << jpeg_scale_eighths(source.width, source.height, size) << "/8)";
    }
  }
}

}  // namespace
}  // namespace varstyle
