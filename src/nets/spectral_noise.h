// Noise with a style's power spectrum (Galerne, Gousseau & Morel's random-phase textures): white
// noise filtered so that its power at each scale and orientation follows a summary of a style's.
// A decoder from relu2_1 reaches about 10 px, so from white or blob noise it draws grain or blobs
// whatever the style; fed bands of the style's period and orientation, it has them to colour.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace varstyle {

// The summary: log power in bins of 6 periods (2, 4, ..., 64 image pixels) x 8 orientations
// (0, 22.5, ..., 157.5 degrees), each frequency shared between its 4 nearest bins bilinearly in
// (log2 period, angle); periods outside [2, 64] count towards the end bins.
constexpr int64_t kSpectrumPeriods = 6;
constexpr int64_t kSpectrumAngles = 8;
constexpr int64_t kSpectrumBins = kSpectrumPeriods * kSpectrumAngles;

// x [B, C, H, W] -> [B, kSpectrumBins]: log(p_bin / p_mean + 0.01), where p is the power of the
// Hann-windowed, per-channel centred x summed over channels, p_bin its weighted mean over a
// bin's frequencies and p_mean its mean over every frequency but 0. `scale`: image pixels per
// pixel of x (2 for relu2_1 features). The floor keeps bins with next to no power (often
// periods the image is too small for) from spanning more of the range than the pattern's own
// bins, which lie within about -4.6..3. Differentiable; computed in fp32 (fp64 for fp64 input).
at::Tensor spectrum_summary(const at::Tensor& x, double scale = 1.0);

// [keys.size(), 1, height, width]: row i is a standard normal map drawn from keys[i], filtered to
// the power spectrum that summaries[i] describes at `scale` image pixels per pixel, with no mean
// and unit spread over the map. Periodic: the filter is applied in the Fourier domain.
at::Tensor spectral_noise(const std::vector<uint64_t>& keys, int64_t height, int64_t width, double scale,
                          const at::Tensor& summaries);

}  // namespace varstyle
