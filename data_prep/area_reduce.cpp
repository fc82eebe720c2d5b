// Area reduction in two separable passes with 14-bit integer weights. Vertical first, over the
// source columns the window needs (contiguous rows, so the compiler vectorises it), then
// horizontal over the window's own width only. Integer arithmetic makes the result the same on
// every machine and thread count.
#include "area_reduce.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace varstyle {
namespace {

constexpr int kWeightBits = 14;
constexpr int32_t kOne = 1 << kWeightBits;
// Vertical sums (8 + 14 bits) keep 8 fractional bits so they fit uint16 (at most 255 << 8), and
// the horizontal sums of those (16 + 14 bits) fit int32.
constexpr int kVerticalDrop = kWeightBits - 8;
constexpr int kHorizontalShift = kWeightBits + 8;

// For each output sample of [begin, end): the first source sample and `count` weights summing to
// kOne. Every sample has the same count (zeros pad the short ones), so the inner loops have no
// branches, and first + count never passes the source's end.
struct AreaTaps {
  int count = 0;
  std::vector<int> first;
  std::vector<int16_t> weights;  // count per output sample; 16 bits so products widen in SIMD
};

AreaTaps area_taps(int source, int output, int begin, int end) {
  const double scale = static_cast<double>(source) / output;
  AreaTaps taps;
  taps.count = std::min(source, static_cast<int>(std::ceil(scale)) + 1);
  taps.first.reserve(static_cast<size_t>(end - begin));
  taps.weights.assign(static_cast<size_t>(end - begin) * taps.count, 0);
  for (int o = begin; o < end; ++o) {
    const double from = o * scale;
    const double to = std::min((o + 1) * scale, static_cast<double>(source));
    const int lowest = std::min(source - 1, static_cast<int>(std::floor(from)));
    // An interval of length `scale` touches at most ceil(scale) + 1 samples; the bound also holds
    // where rounding in `from` or `to` lands just past an integer.
    const int highest = std::min(lowest + taps.count - 1,
                                 std::max(lowest, std::min(source, static_cast<int>(std::ceil(to))) - 1));
    const int first = std::min(lowest, source - taps.count);
    int16_t* weights = &taps.weights[static_cast<size_t>(o - begin) * taps.count];
    int32_t total = 0;
    int largest = lowest - first;
    for (int s = lowest; s <= highest; ++s) {
      const double overlap = std::min<double>(s + 1, to) - std::max<double>(s, from);
      const auto weight = static_cast<int16_t>(std::lround(overlap / (to - from) * kOne));
      weights[s - first] = weight;
      total += weight;
      if (weight > weights[largest]) largest = s - first;
    }
    // Rounding each weight can leave the sum a little off kOne; the largest weight absorbs it so
    // that a flat colour stays exactly that colour.
    weights[largest] = static_cast<int16_t>(weights[largest] + kOne - total);
    taps.first.push_back(first);
  }
  return taps;
}

constexpr int kChannels = 3;

// One output row's vertical means over `span` values from `column_begin`, kept with 8 fractional
// bits. Written over 16-bit operands so the compiler uses widening 16-bit multiplies.
void vertical_means(const cv::Mat& rgb, const AreaTaps& rows, int y, int column_begin,
                    std::vector<int32_t>& sums, std::vector<uint16_t>& means) {
  std::fill(sums.begin(), sums.end(), 0);
  const int16_t* weights = &rows.weights[static_cast<size_t>(y) * rows.count];
  const size_t span = sums.size();
  for (int k = 0; k < rows.count; ++k) {
    const int16_t weight = weights[k];
    if (weight == 0) continue;
    const uint8_t* source = rgb.ptr<uint8_t>(rows.first[static_cast<size_t>(y)] + k) + column_begin * kChannels;
    int32_t* sum = sums.data();
    for (size_t i = 0; i < span; ++i) sum[i] += int32_t{weight} * int32_t{static_cast<int16_t>(source[i])};
  }
  for (size_t i = 0; i < span; ++i)
    means[i] = static_cast<uint16_t>((sums[i] + (1 << (kVerticalDrop - 1))) >> kVerticalDrop);
}

// One output row from the vertical means. The tap data is read through local pointers: stores to
// uint8_t may alias anything, and would otherwise make the compiler reload the vectors' data
// pointers for every pixel. kTaps > 0 fixes the tap count at compile time so its loop unrolls;
// 0 reads it from `columns`.
template <int kTaps>
void horizontal_row(const AreaTaps& columns, int column_begin, const uint16_t* means, int width, uint8_t* target) {
  const int taps = kTaps > 0 ? kTaps : columns.count;
  const int16_t* weights = columns.weights.data();
  const int* first = columns.first.data();
  for (int x = 0; x < width; ++x, weights += taps, target += kChannels) {
    const uint16_t* source = means + (first[x] - column_begin) * kChannels;
    int32_t red = 1 << (kHorizontalShift - 1), green = red, blue = red;
    for (int k = 0; k < taps; ++k, source += kChannels) {
      red += int32_t{weights[k]} * source[0];
      green += int32_t{weights[k]} * source[1];
      blue += int32_t{weights[k]} * source[2];
    }
    target[0] = static_cast<uint8_t>(std::min(255, red >> kHorizontalShift));
    target[1] = static_cast<uint8_t>(std::min(255, green >> kHorizontalShift));
    target[2] = static_cast<uint8_t>(std::min(255, blue >> kHorizontalShift));
  }
}

using HorizontalRow = void (*)(const AreaTaps&, int, const uint16_t*, int, uint8_t*);

// Reductions after the IDCT's own are by less than 2, so 2 or 3 taps are the common counts.
HorizontalRow horizontal_row_for(int taps) {
  switch (taps) {
    case 2: return horizontal_row<2>;
    case 3: return horizontal_row<3>;
    case 4: return horizontal_row<4>;
    default: return horizontal_row<0>;
  }
}

}  // namespace

cv::Mat area_reduce_window(const cv::Mat& rgb, cv::Size reduced, cv::Rect window) {
  CV_Assert(rgb.type() == CV_8UC3);
  CV_Assert(reduced.width > 0 && reduced.height > 0 && reduced.width <= rgb.cols && reduced.height <= rgb.rows);
  CV_Assert((cv::Rect(0, 0, reduced.width, reduced.height) & window) == window && !window.empty());
  const AreaTaps columns = area_taps(rgb.cols, reduced.width, window.x, window.x + window.width);
  const AreaTaps rows = area_taps(rgb.rows, reduced.height, window.y, window.y + window.height);

  // The source columns any output column reads.
  const int column_begin = columns.first.front();
  const int column_end = columns.first.back() + columns.count;
  const size_t span = static_cast<size_t>(column_end - column_begin) * kChannels;
  std::vector<int32_t> sums(span);
  std::vector<uint16_t> means(span);
  const HorizontalRow horizontal = horizontal_row_for(columns.count);

  cv::Mat out(window.height, window.width, CV_8UC3);
  for (int y = 0; y < window.height; ++y) {
    vertical_means(rgb, rows, y, column_begin, sums, means);
    horizontal(columns, column_begin, means.data(), window.width, out.ptr<uint8_t>(y));
  }
  return out;
}

}  // namespace varstyle
