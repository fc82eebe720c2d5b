// PrefetchLoader and augmentation: exact pixels for centre crops and flips, determinism, resume
// from the consumer's state, per-sample augmentation independent of the rank count, and errors
// from the background thread surfacing in next().
#include "data/prefetch_loader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "core/error.h"
#include "data/dataset_fixture.h"
#include "test_support.h"

namespace varstyle {
namespace {

using testing::pattern_image;
using testing::ScratchDir;
using testing::write_pattern_dataset;

TEST(Augment, CentreCropAndFlipPickTheExpectedPixels) {
  const int64_t size = 8, crop = 4;
  const auto rgb = pattern_image(3, size);
  std::vector<float> out(3 * crop * crop);
  AugmentOptions options{crop, /*random_crop=*/false, /*hflip=*/false};
  CropFlip cf = draw_crop_flip(1, SampleKey{3, 0, 0}, size, options);
  EXPECT_EQ(cf.top, 2);
  EXPECT_EQ(cf.left, 2);
  EXPECT_FALSE(cf.flip);
  cf.flip = true;
  crop_flip_to_chw(rgb.data(), size, cf, crop, out.data());
  for (int64_t c = 0; c < 3; ++c)
    for (int64_t y = 0; y < crop; ++y)
      for (int64_t x = 0; x < crop; ++x) {
        const int64_t source_x = 2 + (crop - 1 - x);
        const float expected = rgb[static_cast<size_t>(((2 + y) * size + source_x) * 3 + c)] / 255.0f;
        ASSERT_FLOAT_EQ(out[static_cast<size_t>((c * crop + y) * crop + x)], expected);
      }
}

TEST(Augment, RandomDrawsCoverCropsAndFlips) {
  AugmentOptions options{4, true, true};
  std::set<std::pair<int64_t, int64_t>> corners;
  int flips = 0;
  for (int64_t p = 0; p < 400; ++p) {
    CropFlip cf = draw_crop_flip(9, SampleKey{0, 0, p}, 8, options);
    ASSERT_GE(cf.top, 0);
    ASSERT_LE(cf.top, 4);
    ASSERT_LE(cf.left, 4);
    corners.insert({cf.top, cf.left});
    flips += cf.flip;
  }
  EXPECT_EQ(corners.size(), 25u);
  EXPECT_GT(flips, 150);
  EXPECT_LT(flips, 250);
}

TEST(Augment, GreyImagesHoldTheLumaInEveryChannel) {
  const int64_t size = 4;
  std::vector<uint8_t> rgb(static_cast<size_t>(size * size * 3), 0);
  rgb[0] = 255;                // pixel (0, 0) pure red
  rgb[3 * 1 + 1] = 255;        // pixel (0, 1) pure green
  rgb[3 * 2 + 2] = 255;        // pixel (0, 2) pure blue
  rgb[3 * 3 + 0] = rgb[3 * 3 + 1] = rgb[3 * 3 + 2] = 51;  // pixel (0, 3) grey 0.2
  std::vector<float> out(static_cast<size_t>(3 * size * size));
  CropFlip cf;
  cf.grey = true;
  crop_flip_to_chw(rgb.data(), size, cf, size, out.data());
  const float expected[] = {0.299f, 0.587f, 0.114f, 0.2f};
  for (int64_t x = 0; x < 4; ++x)
    for (int64_t c = 0; c < 3; ++c)
      EXPECT_NEAR(out[static_cast<size_t>(c * size * size + x)], expected[x], 1e-6) << "pixel " << x << " channel " << c;
}

bool same_crop_and_flip(const CropFlip& a, const CropFlip& b) {
  return a.top == b.top && a.left == b.left && a.flip == b.flip;
}

bool same_draw(const CropFlip& a, const CropFlip& b) {
  return same_crop_and_flip(a, b) && a.grey == b.grey && a.contrast == b.contrast && a.hue == b.hue;
}

// Draws samples 0..1999 with `plain` and with `some` (one option more, at rate 1/4): turning the
// option on changes no crop or flip, `some`'s draws are keyed (the same on every call), and about
// a quarter of the samples get the option (`got`). `each(key, a, b)` checks the rest per sample.
template <typename Got, typename Each>
void expect_own_draw_at_a_quarter(const AugmentOptions& plain, const AugmentOptions& some, Got got, Each each) {
  int count = 0;
  for (int64_t p = 0; p < 2000; ++p) {
    const SampleKey key{0, 1, p};
    const CropFlip a = draw_crop_flip(9, key, 8, plain);
    const CropFlip b = draw_crop_flip(9, key, 8, some);
    ASSERT_TRUE(same_crop_and_flip(a, b)) << "sample " << p;
    ASSERT_TRUE(same_draw(b, draw_crop_flip(9, key, 8, some))) << "sample " << p;
    each(key, a, b);
    if (::testing::Test::HasFatalFailure()) return;
    count += got(b);
  }
  EXPECT_GT(count, 440);  // 500 expected; the standard deviation is about 19
  EXPECT_LT(count, 560);
}

TEST(Augment, GreyIsItsOwnDrawAtTheGivenRate) {
  AugmentOptions plain{4, true, true};
  AugmentOptions some = plain;
  some.grey = 0.25;
  AugmentOptions all = plain;
  all.grey = 1.0;
  expect_own_draw_at_a_quarter(plain, some, [](const CropFlip& b) { return b.grey; },
                               [&](const SampleKey& key, const CropFlip& a, const CropFlip&) {
                                 ASSERT_FALSE(a.grey);
                                 ASSERT_TRUE(draw_crop_flip(9, key, 8, all).grey);
                               });
}

TEST(Augment, SoftImagesKeepEachChannelsMeanAndScaleItsSpread) {
  // A 2 x 2 image whose red channel is 0, 0.4, 0.8, 0.4 (mean 0.4), green constant 0.6, blue
  // 1, 1, 0, 0: at contrast 0.5 red becomes 0.2, 0.4, 0.6, 0.4, green stays, blue 0.75 or 0.25.
  const int64_t size = 2;
  const std::vector<uint8_t> rgb = {0, 153, 255, 102, 153, 255, 204, 153, 0, 102, 153, 0};
  std::vector<float> out(static_cast<size_t>(3 * size * size));
  CropFlip cf;
  cf.contrast = 0.5f;
  crop_flip_to_chw(rgb.data(), size, cf, size, out.data());
  const float expected[3][4] = {{0.2f, 0.4f, 0.6f, 0.4f}, {0.6f, 0.6f, 0.6f, 0.6f}, {0.75f, 0.75f, 0.25f, 0.25f}};
  for (int64_t c = 0; c < 3; ++c)
    for (int64_t i = 0; i < 4; ++i)
      EXPECT_NEAR(out[static_cast<size_t>(c * 4 + i)], expected[c][i], 1e-6) << "channel " << c << " pixel " << i;
}

TEST(Augment, SoftIsItsOwnDrawAtTheGivenRateAndFloor) {
  AugmentOptions plain{4, true, true};
  plain.grey = 0.5;
  AugmentOptions some = plain;
  some.soft = 0.25;
  some.soft_floor = 0.4;
  float lowest = 1.0f;
  expect_own_draw_at_a_quarter(plain, some, [](const CropFlip& b) { return b.contrast < 1.0f; },
                               [&](const SampleKey&, const CropFlip& a, const CropFlip& b) {
                                 ASSERT_EQ(a.grey, b.grey);
                                 ASSERT_EQ(a.contrast, 1.0f);
                                 ASSERT_GE(b.contrast, 0.4f);
                                 ASSERT_LE(b.contrast, 1.0f);
                                 lowest = std::min(lowest, b.contrast);
                               });
  EXPECT_LT(lowest, 0.41f);  // the factor reaches down to the floor
}

TEST(Augment, TurnedHuesKeepGreysAndEachPixelsMeanAndChroma) {
  // A third of a turn about the grey axis sends red to green, green to blue and blue to red.
  const int64_t size = 2;
  const std::vector<uint8_t> rgb = {255, 0, 0, 0, 255, 0, 51, 51, 51, 128, 102, 153};
  std::vector<float> out(static_cast<size_t>(3 * size * size));
  CropFlip cf;
  cf.hue = static_cast<float>(2.0 * 3.14159265358979323846 / 3.0);
  crop_flip_to_chw(rgb.data(), size, cf, size, out.data());
  const auto at = [&](int64_t c, int64_t i) { return out[static_cast<size_t>(c * 4 + i)]; };
  const float third[3][3] = {{0.0f, 1.0f, 0.0f}, {0.0f, 0.0f, 1.0f}, {0.2f, 0.2f, 0.2f}};
  for (int64_t i = 0; i < 3; ++i)
    for (int64_t c = 0; c < 3; ++c) EXPECT_NEAR(at(c, i), third[i][c], 1e-6) << "pixel " << i << " channel " << c;
  // Any angle: a colour well inside the cube keeps its channel mean and its distance from grey.
  for (const float angle : {0.3f, 1.0f, 2.5f, 4.0f}) {
    cf.hue = angle;
    crop_flip_to_chw(rgb.data(), size, cf, size, out.data());
    const float in[3] = {128 / 255.0f, 102 / 255.0f, 153 / 255.0f};
    const float mean = (in[0] + in[1] + in[2]) / 3.0f;
    EXPECT_NEAR((at(0, 3) + at(1, 3) + at(2, 3)) / 3.0f, mean, 1e-6) << "angle " << angle;
    float before = 0.0f, after = 0.0f;
    for (int64_t c = 0; c < 3; ++c) {
      before += (in[c] - mean) * (in[c] - mean);
      after += (at(c, 3) - mean) * (at(c, 3) - mean);
    }
    EXPECT_NEAR(after, before, 1e-6) << "angle " << angle;
    EXPECT_GT(std::abs(at(0, 3) - in[0]) + std::abs(at(2, 3) - in[2]), 0.01f) << "angle " << angle;  // it did turn
  }
}

TEST(Augment, HueIsItsOwnDrawAtTheGivenRate) {
  AugmentOptions plain{4, true, true};
  plain.grey = 0.5;
  plain.soft = 0.5;
  AugmentOptions some = plain;
  some.hue = 0.25;
  float lowest = 7.0f, highest = 0.0f;
  expect_own_draw_at_a_quarter(plain, some, [](const CropFlip& b) { return b.hue != 0.0f; },
                               [&](const SampleKey&, const CropFlip& a, const CropFlip& b) {
                                 ASSERT_EQ(a.grey, b.grey);
                                 ASSERT_EQ(a.contrast, b.contrast);
                                 ASSERT_EQ(a.hue, 0.0f);
                                 if (b.hue == 0.0f) return;
                                 lowest = std::min(lowest, b.hue);
                                 highest = std::max(highest, b.hue);
                               });
  EXPECT_LT(lowest, 0.1f);  // the angles cover the whole turn
  EXPECT_GT(highest, 6.18f);
  EXPECT_LT(highest, 6.2832f);
}

struct LoaderFixture : ::testing::Test {
  ScratchDir dir;
  std::shared_ptr<ShardedDataset> dataset;
  void SetUp() override {
    write_pattern_dataset(dir.path(), 12, {7, 6, 7});
    dataset = std::make_shared<ShardedDataset>(dir.path());
  }
};

TEST_F(LoaderFixture, BatchesMatchDirectLoadsInSamplerOrder) {
  AugmentOptions options{8, true, true};
  PrefetchLoader loader(dataset, ShardedSampler(dataset->size(), 5, 0, 1, 3), options, 77, 2);
  ShardedSampler reference(dataset->size(), 5, 0, 1, 3);
  for (int step = 0; step < 10; ++step) {  // crosses an epoch (6 steps per epoch)
    Batch batch = loader.next();
    auto keys = reference.next_batch();
    ASSERT_EQ(batch.images.sizes(), (std::vector<int64_t>{3, 3, 8, 8}));
    EXPECT_EQ(batch.keys.size(), keys.size());
    for (size_t i = 0; i < keys.size(); ++i) EXPECT_EQ(batch.keys[i].index, keys[i].index);
    Batch direct = PrefetchLoader::load_batch(*dataset, keys, options, 77);
    EXPECT_TRUE(at::equal(batch.images, direct.images)) << "step " << step;
    EXPECT_GE(batch.images.min().item<float>(), 0.0f);
    EXPECT_LE(batch.images.max().item<float>(), 1.0f);
    EXPECT_EQ(loader.state(), reference.state());
  }
}

TEST_F(LoaderFixture, ResumeFromConsumerStateContinuesExactly) {
  AugmentOptions options{8, true, true};
  PrefetchLoader straight(dataset, ShardedSampler(dataset->size(), 5, 0, 1, 4), options, 1, 3);
  for (int i = 0; i < 4; ++i) straight.next();
  const auto saved = straight.state();  // the producer has run ahead; the consumer's state counts
  std::vector<at::Tensor> expected;
  for (int i = 0; i < 6; ++i) expected.push_back(straight.next().images);

  ShardedSampler sampler(dataset->size(), 5, 0, 1, 4);
  sampler.restore(saved);
  PrefetchLoader resumed(dataset, sampler, options, 1, 3);
  for (int i = 0; i < 6; ++i) EXPECT_TRUE(at::equal(resumed.next().images, expected[static_cast<size_t>(i)])) << i;
}

// Each sample's crop and flip depend on (seed, epoch, position) only: 1 rank with batch 4 and
// 2 ranks with batch 2 see the same augmented images at every step.
TEST_F(LoaderFixture, AugmentedStepUnionIndependentOfWorldSize) {
  AugmentOptions options{6, true, true};
  auto collect = [&](int world) {
    std::vector<std::map<int64_t, at::Tensor>> steps(8);
    for (int rank = 0; rank < world; ++rank) {
      PrefetchLoader loader(dataset, ShardedSampler(dataset->size(), 2, rank, world, 4 / world), options, 3, 2);
      for (size_t s = 0; s < steps.size(); ++s) {
        Batch batch = loader.next();
        for (size_t i = 0; i < batch.keys.size(); ++i)
          steps[s][batch.keys[i].epoch * 1000 + batch.keys[i].position] = batch.images[static_cast<int64_t>(i)];
      }
    }
    return steps;
  };
  auto one = collect(1);
  auto two = collect(2);
  for (size_t s = 0; s < one.size(); ++s) {
    ASSERT_EQ(one[s].size(), 4u);
    ASSERT_EQ(two[s].size(), 4u);
    for (const auto& [position, image] : one[s]) {
      ASSERT_TRUE(two[s].count(position)) << "step " << s;
      EXPECT_TRUE(at::equal(image, two[s].at(position))) << "step " << s << " position " << position;
    }
  }
}

TEST_F(LoaderFixture, CropLargerThanImagesIsAConfigError) {
  EXPECT_THROW(PrefetchLoader(dataset, ShardedSampler(dataset->size(), 0, 0, 1, 2), {16, true, true}, 0, 2),
               ConfigError);
}

TEST(PrefetchLoader, ReadErrorOnTheThreadSurfacesInNext) {
  ScratchDir dir;
  write_pattern_dataset(dir.path(), 8, {4});
  const auto path = dir / "shard-00000.h5";
  std::string bytes = testing::read_text(path);
  // Corrupt every image so that whichever is drawn first fails its checksum.
  for (int64_t k = 0; k < 4; ++k) {
    const auto image = pattern_image(k, 8);
    const auto at = bytes.find(std::string(image.begin(), image.end()));
    ASSERT_NE(at, std::string::npos);
    bytes[at] = static_cast<char>(bytes[at] ^ 0x40);
  }
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  auto dataset = std::make_shared<ShardedDataset>(dir.path());
  PrefetchLoader loader(dataset, ShardedSampler(4, 0, 0, 1, 2), {8, false, false}, 0, 2);
  try {
    loader.next();
    FAIL() << "expected the corrupt image to fail";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("shard-00000.h5"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace varstyle
