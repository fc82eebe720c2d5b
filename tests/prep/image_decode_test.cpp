// Image decoding for varstyle-prep: pixel round trip against OpenCV's own area resize, every
// supported layout (grey, alpha, 16-bit, CMYK JPEG, BMP/TIFF/WebP), and each bad-file kind
// coming back as a reason instead of a crash.
#include "image_decode.h"

#include <gtest/gtest.h>

#include <cstdio>

#include <jpeglib.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "test_support.h"

namespace varstyle {
namespace {

using testing::ScratchDir;

cv::Mat random_bgr(int width, int height, uint64_t seed) {
  cv::Mat image(height, width, CV_8UC3);
  cv::RNG rng(seed);
  rng.fill(image, cv::RNG::UNIFORM, 0, 256);
  cv::GaussianBlur(image, image, cv::Size(5, 5), 1.5);  // photo-like: neighbours correlate
  return image;
}

std::string encode(const cv::Mat& image, const std::string& extension, std::vector<int> params = {}) {
  std::vector<uchar> bytes;
  EXPECT_TRUE(cv::imencode(extension, image, bytes, params));
  return std::string(bytes.begin(), bytes.end());
}

DecodeOptions options_for(int size, int min_side = 8) {
  DecodeOptions options;
  options.size = size;
  options.min_side = min_side;
  return options;
}

// The expected result written out independently: short side to `size` with INTER_AREA when
// shrinking and INTER_CUBIC when enlarging (varstyle's resize rule, image/resize.h), then the
// centred window.
cv::Mat reference_square(const cv::Mat& bgr, int size) {
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  const double scale = static_cast<double>(size) / std::min(rgb.cols, rgb.rows);
  const int width = rgb.cols <= rgb.rows ? size : static_cast<int>(std::lround(rgb.cols * scale));
  const int height = rgb.rows < rgb.cols ? size : static_cast<int>(std::lround(rgb.rows * scale));
  cv::Mat resized;
  cv::resize(rgb, resized, cv::Size(width, height), 0, 0, scale > 1 ? cv::INTER_CUBIC : cv::INTER_AREA);
  return resized(cv::Rect((width - size) / 2, (height - size) / 2, size, size)).clone();
}

TEST(ImageDecode, PngMatchesOpenCvAreaResizeWithinOneLevel) {
  // Reductions go through area_reduce_window (one level from INTER_AREA at rounding ties);
  // 20 x 48 enlarges, bicubic by OpenCV itself, exactly.
  for (auto [w, h] : {std::pair{131, 97}, std::pair{64, 200}, std::pair{48, 48}, std::pair{20, 48}}) {
    const cv::Mat bgr = random_bgr(w, h, static_cast<uint64_t>(w * h));
    DecodedImage decoded = decode_square_image_bytes(encode(bgr, ".png"), options_for(32));
    ASSERT_TRUE(decoded.ok()) << decoded.reason;
    ASSERT_EQ(decoded.rgb.size(), cv::Size(32, 32));
    ASSERT_EQ(decoded.rgb.type(), CV_8UC3);
    EXPECT_LE(cv::norm(decoded.rgb, reference_square(bgr, 32), cv::NORM_INF), w < 32 ? 0.0 : 1.0) << w << "x" << h;
  }
}

TEST(ImageDecode, GreyAlphaAndSixteenBitBecomeRgb8) {
  cv::Mat grey(40, 40, CV_8UC1, cv::Scalar(100));
  DecodedImage decoded = decode_square_image_bytes(encode(grey, ".png"), options_for(16));
  ASSERT_TRUE(decoded.ok()) << decoded.reason;
  EXPECT_EQ(decoded.rgb.at<cv::Vec3b>(3, 3), cv::Vec3b(100, 100, 100));

  cv::Mat bgra(40, 40, CV_8UC4, cv::Scalar(255, 0, 0, 0));  // fully transparent blue
  bgra(cv::Rect(0, 0, 40, 20)).setTo(cv::Scalar(255, 0, 0, 255));  // opaque blue top half
  decoded = decode_square_image_bytes(encode(bgra, ".png"), options_for(40));
  ASSERT_TRUE(decoded.ok()) << decoded.reason;
  EXPECT_EQ(decoded.rgb.at<cv::Vec3b>(5, 5), cv::Vec3b(0, 0, 255));      // RGB blue
  EXPECT_EQ(decoded.rgb.at<cv::Vec3b>(35, 5), cv::Vec3b(255, 255, 255)); // over white

  cv::Mat deep(40, 40, CV_16UC3, cv::Scalar(257 * 10, 257 * 20, 257 * 30));
  decoded = decode_square_image_bytes(encode(deep, ".png"), options_for(16));
  ASSERT_TRUE(decoded.ok()) << decoded.reason;
  EXPECT_EQ(decoded.rgb.at<cv::Vec3b>(0, 0), cv::Vec3b(30, 20, 10));
}

// An Adobe-style CMYK JPEG (values stored inverted, as Photoshop writes them), made with libjpeg.
std::string cmyk_jpeg(int size, const unsigned char inverted_cmyk[4]) {
  jpeg_compress_struct cinfo{};
  jpeg_error_mgr errors{};
  cinfo.err = jpeg_std_error(&errors);
  jpeg_create_compress(&cinfo);
  unsigned char* buffer = nullptr;
  unsigned long length = 0;
  jpeg_mem_dest(&cinfo, &buffer, &length);
  cinfo.image_width = static_cast<JDIMENSION>(size);
  cinfo.image_height = static_cast<JDIMENSION>(size);
  cinfo.input_components = 4;
  cinfo.in_color_space = JCS_CMYK;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, 100, TRUE);
  jpeg_start_compress(&cinfo, TRUE);
  std::vector<unsigned char> row(static_cast<size_t>(size) * 4);
  for (int x = 0; x < size; ++x)
    for (int c = 0; c < 4; ++c) row[static_cast<size_t>(x * 4 + c)] = inverted_cmyk[c];
  while (cinfo.next_scanline < cinfo.image_height) {
    JSAMPROW pointer = row.data();
    jpeg_write_scanlines(&cinfo, &pointer, 1);
  }
  jpeg_finish_compress(&cinfo);
  std::string bytes(reinterpret_cast<char*>(buffer), length);
  jpeg_destroy_compress(&cinfo);
  free(buffer);
  return bytes;
}

TEST(ImageDecode, AdobeCmykJpegBecomesRgb) {
  const unsigned char red[4] = {255, 0, 0, 255};  // C=0 M=255 Y=255 K=0, inverted
  DecodedImage decoded = decode_square_image_bytes(cmyk_jpeg(32, red), options_for(16));
  ASSERT_TRUE(decoded.ok()) << decoded.reason;
  const cv::Vec3b pixel = decoded.rgb.at<cv::Vec3b>(8, 8);
  EXPECT_GT(pixel[0], 245);
  EXPECT_LT(pixel[1], 10);
  EXPECT_LT(pixel[2], 10);
}

TEST(ImageDecode, BmpTiffAndLosslessWebpDecodeLosslessly) {
  const cv::Mat bgr = random_bgr(50, 40, 9);
  for (const auto& [extension, params] :
       std::vector<std::pair<std::string, std::vector<int>>>{{".bmp", {}}, {".tiff", {}}, {".webp", {cv::IMWRITE_WEBP_QUALITY, 101}}}) {
    DecodedImage decoded = decode_square_image_bytes(encode(bgr, extension, params), options_for(24));
    ASSERT_TRUE(decoded.ok()) << extension << ": " << decoded.reason;
    EXPECT_LE(cv::norm(decoded.rgb, reference_square(bgr, 24), cv::NORM_INF), 1.0) << extension;
  }
}

void expect_skipped(const std::string& bytes, const std::string& reason_part, DecodeOptions options = options_for(32)) {
  DecodedImage decoded = decode_square_image_bytes(bytes, options);
  EXPECT_FALSE(decoded.ok());
  EXPECT_TRUE(decoded.rgb.empty());
  EXPECT_NE(decoded.reason.find(reason_part), std::string::npos) << "reason: " << decoded.reason;
}

TEST(ImageDecode, BadFilesComeBackWithReasons) {
  const cv::Mat bgr = random_bgr(200, 150, 3);
  const std::string jpeg = encode(bgr, ".jpg");
  const std::string png = encode(bgr, ".png");
  expect_skipped("", "empty file");
  expect_skipped("hello, I am a text file\n", "not an image");
  expect_skipped(jpeg.substr(0, jpeg.size() / 2), "truncated");
  expect_skipped(png.substr(0, png.size() / 2), "corrupt or truncated");
  expect_skipped(png.substr(0, 20), "truncated PNG");
  std::string damaged = jpeg;
  for (size_t i = 0; i < 64; ++i) damaged[20 + i] = static_cast<char>(0xAA);  // tables destroyed
  expect_skipped(damaged, "corrupt JPEG");
  expect_skipped(encode(random_bgr(20, 300, 1), ".png"), "too small", options_for(32, 64));

  // A PNG whose header claims 100000 x 100000: refused before any pixel is allocated.
  std::string bomb = png;
  const unsigned char huge[8] = {0x00, 0x01, 0x86, 0xA0, 0x00, 0x01, 0x86, 0xA0};
  bomb.replace(16, 8, reinterpret_cast<const char*>(huge), 8);
  expect_skipped(bomb, "too large");
  // The same guard on JPEG, from libjpeg's header.
  DecodeOptions tight = options_for(32);
  tight.max_pixels = 1000;
  expect_skipped(jpeg, "too large", tight);
}

// One PNG chunk: length, type, data and the CRC-32 of type and data (the PNG specification's).
std::string png_chunk(const std::string& type, const std::string& data) {
  uint32_t crc = 0xFFFFFFFFu;
  for (const char c : type + data) {
    crc ^= static_cast<uint8_t>(c);
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  crc ^= 0xFFFFFFFFu;
  auto be32 = [](uint32_t v) {
    return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
  };
  return be32(static_cast<uint32_t>(data.size())) + type + data + be32(crc);
}

TEST(ImageDecode, PngColourProfileWarningsNeverReachTheUser) {
  const cv::Mat bgr = random_bgr(40, 30, 5);
  const std::string png = encode(bgr, ".png");
  // A colour profile libpng finds wrong, after the header chunk (8-byte signature + 25-byte IHDR).
  const std::string profile = png_chunk("iCCP", std::string("ICC Profile\0\0", 13) + "not a zlib stream");
  const std::string with_profile = png.substr(0, 33) + profile + png.substr(33);
  // The premise: OpenCV's decoder lets libpng write a warning for it to stderr.
  ::testing::internal::CaptureStderr();
  const cv::Mat raw = cv::imdecode(std::vector<uchar>(with_profile.begin(), with_profile.end()), cv::IMREAD_UNCHANGED);
  const std::string raw_stderr = ::testing::internal::GetCapturedStderr();
  ASSERT_FALSE(raw.empty());
  EXPECT_NE(raw_stderr.find("libpng"), std::string::npos) << raw_stderr;
  // varstyle-prep's decoding: the same pixels as without the profile, and nothing on stderr.
  ::testing::internal::CaptureStderr();
  const DecodedImage decoded = decode_square_image_bytes(with_profile, options_for(30));
  const std::string our_stderr = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(our_stderr, "");
  ASSERT_TRUE(decoded.reason.empty()) << decoded.reason;
  const DecodedImage plain = decode_square_image_bytes(png, options_for(30));
  EXPECT_EQ(cv::norm(decoded.rgb, plain.rgb, cv::NORM_INF), 0.0);
  // A file that ends early, or whose chunk claims more bytes than there are, is refused before
  // libpng sees it (libpng would print "libpng error: ..." itself).
  std::string broken = with_profile;
  broken[33] = static_cast<char>(0x7F);  // the profile chunk claims about 2 GB
  for (const std::string& bad : {broken, png.substr(0, png.size() / 2), png.substr(0, png.size() - 12)}) {
    ::testing::internal::CaptureStderr();
    const DecodedImage refused = decode_square_image_bytes(bad, options_for(30));
    EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
    EXPECT_NE(refused.reason.find("corrupt or truncated PNG"), std::string::npos) << refused.reason;
  }
}

TEST(ImageDecode, UnreadablePathIsAReason) {
  ScratchDir dir;
  std::filesystem::create_symlink(dir / "nowhere.jpg", dir / "dangling.jpg");
  DecodedImage decoded = decode_square_image(dir / "dangling.jpg", options_for(32));
  EXPECT_FALSE(decoded.ok());
  EXPECT_NE(decoded.reason.find("unreadable"), std::string::npos) << decoded.reason;
}

TEST(ImageDecode, ExtensionsInAnyCase) {
  EXPECT_TRUE(has_image_extension("a/B.JPG"));
  EXPECT_TRUE(has_image_extension("x.Tiff"));
  EXPECT_TRUE(has_image_extension("x.webp"));
  EXPECT_FALSE(has_image_extension("x.gif"));
  EXPECT_FALSE(has_image_extension("README"));
}

}  // namespace
}  // namespace varstyle
