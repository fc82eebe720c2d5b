// The one resize rule (image/resize.h): closed forms for area reduction and enlargement, and the
// same photo giving the same pixels through varstyle-prep and through the commands' image path.
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <string>
#include <vector>

#include "image/image_io.h"
#include "image/resize.h"
#include "image_decode.h"

namespace varstyle {
namespace {

TEST(ResizeRule, AreaReductionIsTheBlockMean) {
  // 4 x 4 of 2 x 2 blocks (10, 30; 50, 70 in every channel) halved: each block's value.
  cv::Mat rgb(4, 4, CV_8UC3);
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 4; ++x) rgb.at<cv::Vec3b>(y, x) = cv::Vec3b::all(static_cast<uchar>(10 + 20 * (x / 2) + 40 * (y / 2)));
  // Within a block the values are equal, so the mean is the value: one pixel per block.
  const cv::Mat half = resize_rgb(rgb, cv::Size(2, 2));
  EXPECT_EQ(half.at<cv::Vec3b>(0, 0), cv::Vec3b::all(10));
  EXPECT_EQ(half.at<cv::Vec3b>(0, 1), cv::Vec3b::all(30));
  EXPECT_EQ(half.at<cv::Vec3b>(1, 0), cv::Vec3b::all(50));
  EXPECT_EQ(half.at<cv::Vec3b>(1, 1), cv::Vec3b::all(70));
  // A 1 x 2 mean of 10 and 30 (a 2 x 1 reduction of the top row's first two blocks' pixels).
  cv::Mat pair(1, 2, CV_8UC3);
  pair.at<cv::Vec3b>(0, 0) = cv::Vec3b::all(10);
  pair.at<cv::Vec3b>(0, 1) = cv::Vec3b::all(30);
  EXPECT_EQ(resize_rgb(pair, cv::Size(1, 1)).at<cv::Vec3b>(0, 0), cv::Vec3b::all(20));
}

TEST(ResizeRule, EnlargingIsBicubicAndKeepsAConstant) {
  const cv::Mat flat(5, 7, CV_8UC3, cv::Scalar(12, 130, 250));
  const cv::Mat big = resize_rgb(flat, cv::Size(15, 11));
  ASSERT_EQ(big.size(), cv::Size(15, 11));
  EXPECT_EQ(cv::norm(big, cv::Mat(11, 15, CV_8UC3, cv::Scalar(12, 130, 250)), cv::NORM_INF), 0.0);
  cv::Mat ramp(4, 4, CV_8UC3);
  cv::randu(ramp, cv::Scalar::all(0), cv::Scalar::all(255));
  cv::Mat cubic;
  cv::resize(ramp, cubic, cv::Size(9, 9), 0, 0, cv::INTER_CUBIC);
  EXPECT_EQ(cv::norm(resize_rgb(ramp, cv::Size(9, 9)), cubic, cv::NORM_INF), 0.0);
}

TEST(ResizeRule, PrepAndTheCommandsGiveTheSamePixels) {
  // One photo, shrunk (97 x 131 to short side 32) and enlarged (20 x 48 to 32): varstyle-prep's
  // square (short side, centre crop) equals the commands' short-side resize, centre-cropped.
  for (auto [w, h] : {std::pair{97, 131}, std::pair{131, 97}, std::pair{20, 48}}) {
    cv::Mat bgr(h, w, CV_8UC3);
    cv::randu(bgr, cv::Scalar::all(0), cv::Scalar::all(255));
    std::vector<uchar> png;
    ASSERT_TRUE(cv::imencode(".png", bgr, png));
    DecodeOptions options;
    options.size = 32;
    options.min_side = 8;
    const DecodedImage prep = decode_square_image_bytes(std::string(png.begin(), png.end()), options);
    ASSERT_TRUE(prep.ok()) << prep.reason;

    cv::Mat rgb;
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    const cv::Mat command = resize_short_side(rgb, 32);
    const cv::Rect centre((command.cols - 32) / 2, (command.rows - 32) / 2, 32, 32);
    EXPECT_EQ(cv::norm(prep.rgb, command(centre), cv::NORM_INF), 0.0) << w << " x " << h;
  }
}

}  // namespace
}  // namespace varstyle
