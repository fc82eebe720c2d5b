// Area reduction in two separable passes with 14-bit integer weights. Vertical first, over the
// source columns the window needs; then horizontal over the window's own width, after copying
// each tap's source pixels into a row of their own so that both passes are plain multiply-adds
// over contiguous arrays, which the compiler vectorises. Integer arithmetic makes the result the
// same on every machine and thread count.
#include "image/area_reduce.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

namespace varstyle {
namespace {

constexpr int kChannels = 3;
constexpr int kWeightBits = 14;
constexpr int32_t kOne = 1 << kWeightBits;
// Vertical means keep 7 fractional bits so they fit int16 (at most 255 << 7) and multiply with
// the int16 weights in 16-bit SIMD lanes; horizontal sums (15 + 14 bits) fit int32.
constexpr int kMeanBits = 7;
constexpr int kVerticalShift = kWeightBits - kMeanBits;
constexpr int kHorizontalShift = kWeightBits + kMeanBits;

// For each output sample of [begin, end): the first source sample and `count` weights summing to
// kOne. Every sample has the same count (zeros pad the short ones), so the inner loops have no
// branches, and first + count never passes the source's end.
struct AreaTaps {
  int count = 0;
  std::vector<int> first;
  std::vector<int16_t> weights;  // count per output sample
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

// The multiply-adds both passes spend their time in, three taps at a time: reductions below 2
// (every JPEG after the IDCT's own scaling) have at most three, so one pass over the row does
// it. Where the CPU has AVX2 a clone with twice the SIMD lanes runs (chosen once at load time;
// integer arithmetic, so the result is the same either way).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define VARSTYLE_SIMD_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define VARSTYLE_SIMD_CLONES
#endif
constexpr int kFused = 3;

// sum[i] = (first ? start : sum[i]) + the three rows' weighted values, with 16-bit operands so
// the products widen in SIMD lanes.
VARSTYLE_SIMD_CLONES void add_weighted_bytes(int32_t* sum, const uint8_t* const rows[kFused],
                                             const int16_t weights[kFused], bool first, int32_t start, size_t n) {
  const uint8_t* a = rows[0];
  const uint8_t* b = rows[1];
  const uint8_t* c = rows[2];
  const int32_t wa = weights[0], wb = weights[1], wc = weights[2];
  if (first)
    for (size_t i = 0; i < n; ++i)
      sum[i] = start + wa * int16_t{a[i]} + wb * int16_t{b[i]} + wc * int16_t{c[i]};
  else
    for (size_t i = 0; i < n; ++i) sum[i] += wa * int16_t{a[i]} + wb * int16_t{b[i]} + wc * int16_t{c[i]};
}

// The same with a weight per value.
VARSTYLE_SIMD_CLONES void add_products(int32_t* sum, const int16_t* const weights[kFused],
                                       const int16_t* const values[kFused], bool first, int32_t start, size_t n) {
  const int16_t *wa = weights[0], *wb = weights[1], *wc = weights[2];
  const int16_t *a = values[0], *b = values[1], *c = values[2];
  if (first)
    for (size_t i = 0; i < n; ++i)
      sum[i] = start + int32_t{wa[i]} * a[i] + int32_t{wb[i]} * b[i] + int32_t{wc[i]} * c[i];
  else
    for (size_t i = 0; i < n; ++i) sum[i] += int32_t{wa[i]} * a[i] + int32_t{wb[i]} * b[i] + int32_t{wc[i]} * c[i];
}

// One output row's vertical means over the `span` values from `column_begin`.
void vertical_means(const cv::Mat& rgb, const AreaTaps& rows, int y, int column_begin, size_t span,
                    int32_t* sums, int16_t* means) {
  const int16_t* weights = &rows.weights[static_cast<size_t>(y) * rows.count];
  const int first_row = rows.first[static_cast<size_t>(y)];
  for (int group = 0; group < rows.count; group += kFused) {
    const uint8_t* sources[kFused];
    int16_t group_weights[kFused];
    for (int j = 0; j < kFused; ++j) {
      // Past the last tap: any row, weight zero.
      const bool tap = group + j < rows.count;
      sources[j] = rgb.ptr<uint8_t>(first_row + (tap ? group + j : 0)) + column_begin * kChannels;
      group_weights[j] = tap ? weights[group + j] : int16_t{0};
    }
    add_weighted_bytes(sums, sources, group_weights, group == 0, int32_t{1} << (kVerticalShift - 1), span);
  }
  for (size_t i = 0; i < span; ++i) means[i] = static_cast<int16_t>(sums[i] >> kVerticalShift);
}

// Copied pixels are four int16 wide, the fourth lane unused: one aligned 8-byte move per pixel,
// where three-wide copies would overlap and stall the loads that follow.
constexpr int kLanes = 4;

// The horizontal weights laid out like the copied rows they multiply: tap k of output pixel x in
// every lane of that pixel, at [k][x * kLanes + lane].
std::vector<int16_t> lane_weights(const AreaTaps& columns, int width) {
  const size_t row = static_cast<size_t>(width) * kLanes;
  std::vector<int16_t> weights(row * columns.count);
  for (int k = 0; k < columns.count; ++k)
    for (int x = 0; x < width; ++x)
      for (int lane = 0; lane < kLanes; ++lane)
        weights[k * row + static_cast<size_t>(x * kLanes + lane)] = columns.weights[static_cast<size_t>(x * columns.count + k)];
  return weights;
}

}  // namespace

cv::Mat area_reduce_window(const cv::Mat& rgb, cv::Size reduced, cv::Rect window) {
  CV_Assert(rgb.type() == CV_8UC3);
  CV_Assert(reduced.width > 0 && reduced.height > 0 && reduced.width <= rgb.cols && reduced.height <= rgb.rows);
  CV_Assert((cv::Rect(0, 0, reduced.width, reduced.height) & window) == window && !window.empty());
  // No reduction (a 683x512 JPEG decoded at 1/2 is already 342x256): the window as it is.
  if (reduced == rgb.size()) return rgb(window).clone();
  const AreaTaps columns = area_taps(rgb.cols, reduced.width, window.x, window.x + window.width);
  const AreaTaps rows = area_taps(rgb.rows, reduced.height, window.y, window.y + window.height);
  const std::vector<int16_t> weights = lane_weights(columns, window.width);

  // The source columns any output column reads.
  const int column_begin = columns.first.front();
  const size_t span = static_cast<size_t>(columns.first.back() + columns.count - column_begin) * kChannels;
  const size_t row = static_cast<size_t>(window.width) * kLanes;
  const int taps = columns.count;
  std::vector<int32_t> sums(std::max(span, row));
  std::vector<int16_t> means(span + 1);  // + 1: the last pixel's four-wide read
  std::vector<int16_t> tap_rows(row * taps);
  const std::vector<int16_t> zero_weights(row, 0);

  cv::Mat out(window.height, window.width, CV_8UC3);
  for (int y = 0; y < window.height; ++y) {
    vertical_means(rgb, rows, y, column_begin, span, sums.data(), means.data());
    // Each tap's source pixel for every output pixel, side by side.
    for (int k = 0; k < taps; ++k) {
      int16_t* copy = &tap_rows[k * row];
      for (int x = 0; x < window.width; ++x)
        std::memcpy(copy + x * kLanes,
                    &means[static_cast<size_t>((columns.first[static_cast<size_t>(x)] + k - column_begin) * kChannels)],
                    kLanes * sizeof(int16_t));
    }
    int32_t* sum = sums.data();
    for (int group = 0; group < taps; group += kFused) {
      const int16_t* group_weights[kFused];
      const int16_t* values[kFused];
      for (int j = 0; j < kFused; ++j) {
        const int k = group + j < taps ? group + j : group;  // past the last tap: zero weights
        group_weights[j] = group + j < taps ? &weights[k * row] : zero_weights.data();
        values[j] = &tap_rows[k * row];
      }
      add_products(sum, group_weights, values, group == 0, int32_t{1} << (kHorizontalShift - 1), row);
    }
    uint8_t* target = out.ptr<uint8_t>(y);
    for (int x = 0; x < window.width; ++x)
      for (int c = 0; c < kChannels; ++c)
        target[x * kChannels + c] = static_cast<uint8_t>(std::min(255, sum[x * kLanes + c] >> kHorizontalShift));
  }
  return out;
}

cv::Rect area_source_rect(cv::Size source, cv::Size reduced, cv::Rect window) {
  const AreaTaps columns = area_taps(source.width, reduced.width, window.x, window.x + window.width);
  const AreaTaps rows = area_taps(source.height, reduced.height, window.y, window.y + window.height);
  return cv::Rect(columns.first.front(), rows.first.front(),
                  columns.first.back() + columns.count - columns.first.front(),
                  rows.first.back() + rows.count - rows.first.front());
}

}  // namespace varstyle
