// JPEG decoding's scale choice for given sizes, decodes at each scale it picks staying close to
// a full-size decode reduced by OpenCV's INTER_AREA, and decoding only the needed pixels giving
// exactly what decoding them all gives.
#include "jpeg_decode.h"

#include <gtest/gtest.h>

#include <cstdio>

#include <jpeglib.h>
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

// Every pixel decoded at the scale decode_jpeg picks (libjpeg's defaults otherwise), then
// varstyle-prep's reduction: the reference for the partial decode.
cv::Mat whole_decode_then_square(const std::string& bytes, int size) {
  jpeg_decompress_struct cinfo{};
  jpeg_error_mgr errors{};
  cinfo.err = jpeg_std_error(&errors);
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<unsigned long>(bytes.size()));
  jpeg_read_header(&cinfo, TRUE);
  cinfo.out_color_space = JCS_RGB;
  cinfo.scale_num = static_cast<unsigned>(
      jpeg_scale_eighths(static_cast<int>(cinfo.image_width), static_cast<int>(cinfo.image_height), size));
  cinfo.scale_denom = 8;
  jpeg_start_decompress(&cinfo);
  cv::Mat rgb(static_cast<int>(cinfo.output_height), static_cast<int>(cinfo.output_width), CV_8UC3);
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = rgb.ptr<unsigned char>(static_cast<int>(cinfo.output_scanline));
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  return resize_and_center_crop(rgb, size);
}

TEST(JpegDecode, DecodingOnlyTheNeededPixelsChangesNothing) {
  // Landscape and portrait, wide and odd sizes; colour 4:2:0 (OpenCV's default), greyscale (other
  // iMCU sizes), restart markers and progressive; at targets that crop columns, rows or neither.
  struct Encoding {
    bool grey;
    std::vector<int> params;
  };
  const std::vector<Encoding> encodings = {{false, {cv::IMWRITE_JPEG_QUALITY, 90}},
                                           {true, {cv::IMWRITE_JPEG_QUALITY, 90}},
                                           {false, {cv::IMWRITE_JPEG_RST_INTERVAL, 3}},
                                           {false, {cv::IMWRITE_JPEG_PROGRESSIVE, 1}}};
  for (const cv::Size source : {cv::Size(640, 480), cv::Size(480, 640), cv::Size(1022, 574), cv::Size(333, 701)}) {
    for (const auto& [grey, params] : encodings) {
      cv::Mat image = photo_like_bgr(source.width, source.height);
      if (grey) cv::cvtColor(image, image, cv::COLOR_BGR2GRAY);
      std::vector<uchar> encoded;
      ASSERT_TRUE(cv::imencode(".jpg", image, encoded, params));
      const std::string bytes(encoded.begin(), encoded.end());
      for (const int size : {64, 100, 250}) {
        DecodeOptions options;
        options.size = size;
        options.min_side = 8;
        const DecodedImage decoded = decode_jpeg(bytes, options);
        ASSERT_TRUE(decoded.ok()) << decoded.reason;
        EXPECT_EQ(cv::norm(decoded.rgb, whole_decode_then_square(bytes, size), cv::NORM_INF), 0.0)
            << source << " at " << size << (grey ? ", grey" : "") << ", params " << params[0];
      }
    }
  }
}

TEST(JpegDecode, TruncationBelowTheSquareIsStillCaught) {
  // A tall image: the square needs its middle rows only, the damage is in the last ones.
  std::vector<uchar> encoded;
  ASSERT_TRUE(cv::imencode(".jpg", photo_like_bgr(200, 800), encoded, {cv::IMWRITE_JPEG_QUALITY, 95}));
  const std::string bytes(encoded.begin(), encoded.end() - static_cast<std::ptrdiff_t>(encoded.size() / 20));
  DecodeOptions options;
  options.size = 64;
  options.min_side = 8;
  const DecodedImage decoded = decode_jpeg(bytes, options);
  EXPECT_FALSE(decoded.ok());
  EXPECT_NE(decoded.reason.find("truncated"), std::string::npos) << decoded.reason;
}

}  // namespace
}  // namespace varstyle
