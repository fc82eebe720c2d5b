// The fixed-point area reduction against OpenCV's INTER_AREA (the reference it replaces): within
// one level everywhere, for every reduction factor prep meets, windows included; exact where
// the answer is known in closed form.
#include "image/area_reduce.h"

#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

namespace varstyle {
namespace {

cv::Mat random_rgb(int width, int height, uint64_t seed) {
  cv::Mat image(height, width, CV_8UC3);
  cv::RNG rng(seed);
  rng.fill(image, cv::RNG::UNIFORM, 0, 256);
  return image;
}

// cv::resize to `reduced` with INTER_AREA, then the window.
cv::Mat reference(const cv::Mat& rgb, cv::Size reduced, cv::Rect window) {
  cv::Mat resized;
  cv::resize(rgb, resized, reduced, 0, 0, cv::INTER_AREA);
  return resized(window).clone();
}

TEST(AreaReduce, WithinOneLevelOfOpenCvForEveryFactor) {
  // Factors from 1 (identity) through the fractional ones left after a scaled JPEG decode
  // (below 2) to integer and large ones, landscape and portrait, odd sides.
  const std::vector<std::pair<cv::Size, cv::Size>> cases = {
      {{300, 300}, {256, 256}}, {{500, 375}, {341, 256}}, {{375, 500}, {256, 341}},
      {{512, 683}, {256, 342}}, {{640, 360}, {455, 256}}, {{257, 256}, {256, 255}},
      {{512, 512}, {256, 256}}, {{97, 131}, {32, 43}},    {{1000, 750}, {64, 48}},
      {{40, 40}, {40, 40}}};
  for (const auto& [source, reduced] : cases) {
    const cv::Mat rgb = random_rgb(source.width, source.height, static_cast<uint64_t>(source.area()));
    const cv::Rect whole(0, 0, reduced.width, reduced.height);
    const cv::Mat ours = area_reduce_window(rgb, reduced, whole);
    const cv::Mat expected = reference(rgb, reduced, whole);
    ASSERT_EQ(ours.size(), reduced);
    EXPECT_LE(cv::norm(ours, expected, cv::NORM_INF), 1.0) << source << " -> " << reduced;
    // Off by one only at rounding ties: rare, not systematic.
    cv::Mat difference;
    cv::absdiff(ours, expected, difference);
    EXPECT_LT(cv::mean(difference)[0], 0.05) << source << " -> " << reduced;
  }
}

TEST(AreaReduce, AWindowIsThatPartOfTheWholeReduction) {
  const cv::Mat rgb = random_rgb(500, 375, 7);
  const cv::Size reduced(341, 256);
  const cv::Mat whole = area_reduce_window(rgb, reduced, cv::Rect(0, 0, 341, 256));
  for (const cv::Rect window : {cv::Rect(42, 0, 256, 256), cv::Rect(0, 0, 1, 1), cv::Rect(340, 255, 1, 1),
                                cv::Rect(100, 30, 17, 9)})
    EXPECT_EQ(cv::norm(area_reduce_window(rgb, reduced, window), whole(window), cv::NORM_INF), 0.0) << window;
}

TEST(AreaReduce, ClosedFormCases) {
  // A flat colour stays that colour exactly at any factor (the weights sum to one exactly).
  const cv::Mat flat(333, 517, CV_8UC3, cv::Scalar(7, 128, 255));
  const cv::Mat reduced = area_reduce_window(flat, cv::Size(256, 165), cv::Rect(0, 0, 256, 165));
  EXPECT_EQ(cv::norm(reduced, cv::Mat(165, 256, CV_8UC3, cv::Scalar(7, 128, 255)), cv::NORM_INF), 0.0);

  // Halving averages 2x2 blocks: (0 + 10 + 20 + 30) / 4 = 15 in every channel.
  cv::Mat blocks(4, 4, CV_8UC3);
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 4; ++x) blocks.at<cv::Vec3b>(y, x) = cv::Vec3b::all(static_cast<uchar>(10 * (x % 2) + 20 * (y % 2)));
  const cv::Mat halved = area_reduce_window(blocks, cv::Size(2, 2), cv::Rect(0, 0, 2, 2));
  EXPECT_EQ(cv::norm(halved, cv::Mat(2, 2, CV_8UC3, cv::Scalar::all(15)), cv::NORM_INF), 0.0);

  // 3 -> 2 samples: the outputs cover [0, 1.5) and [1.5, 3): (a + b/2) / 1.5 and (b/2 + c) / 1.5.
  cv::Mat row(1, 3, CV_8UC3);
  row.at<cv::Vec3b>(0, 0) = cv::Vec3b::all(0);
  row.at<cv::Vec3b>(0, 1) = cv::Vec3b::all(90);
  row.at<cv::Vec3b>(0, 2) = cv::Vec3b::all(240);
  const cv::Mat two = area_reduce_window(row, cv::Size(2, 1), cv::Rect(0, 0, 2, 1));
  EXPECT_EQ(two.at<cv::Vec3b>(0, 0), cv::Vec3b::all(30));   // 45 / 1.5
  EXPECT_EQ(two.at<cv::Vec3b>(0, 1), cv::Vec3b::all(190));  // 285 / 1.5
}

TEST(AreaReduce, RefusesEnlargingAndWindowsOutside) {
  const cv::Mat rgb = random_rgb(50, 40, 1);
  EXPECT_THROW(area_reduce_window(rgb, cv::Size(60, 40), cv::Rect(0, 0, 10, 10)), cv::Exception);
  EXPECT_THROW(area_reduce_window(rgb, cv::Size(25, 20), cv::Rect(20, 0, 10, 10)), cv::Exception);
}

}  // namespace
}  // namespace varstyle
