// Decode cost of each libjpeg-turbo IDCT scale M/8 on a folder of JPEGs: every file decoded
// whole at M/8 to RGB (libjpeg's defaults otherwise), process CPU time, best of REPEATS passes.
// Why jpeg_decode.h keeps to 1/8, 2/8, 4/8 and 8/8: the others have no SIMD IDCT.
// Build and run (bench_prep.sh does): c++ -O2 jpeg_scales.cpp -ljpeg && ./a.out FOLDER [REPEATS]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <jpeglib.h>

namespace {

double cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + 1e-9 * static_cast<double>(now.tv_nsec);
}

// Decodes every file at scale/8; returns the output pixels.
long long decode_all(const std::vector<std::string>& files, unsigned scale) {
  long long pixels = 0;
  std::vector<unsigned char> row;
  for (const std::string& bytes : files) {
    jpeg_decompress_struct cinfo{};
    jpeg_error_mgr errors{};
    cinfo.err = jpeg_std_error(&errors);
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
    jpeg_read_header(&cinfo, TRUE);
    cinfo.out_color_space = JCS_RGB;
    cinfo.scale_num = scale;
    cinfo.scale_denom = 8;
    jpeg_start_decompress(&cinfo);
    row.resize(static_cast<size_t>(cinfo.output_width) * 3);
    while (cinfo.output_scanline < cinfo.output_height) {
      JSAMPROW pointer = row.data();
      jpeg_read_scanlines(&cinfo, &pointer, 1);
    }
    pixels += static_cast<long long>(cinfo.output_width) * cinfo.output_height;
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
  }
  return pixels;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FOLDER [REPEATS]\n", argv[0]);
    return 2;
  }
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 3;
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(argv[1])) {
    if (entry.path().extension() != ".jpg") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    files.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  // Passes alternate between scales, so that load from other work falls on all of them alike.
  std::vector<double> best(9, 1e30);
  long long pixels[9] = {};
  for (int pass = 0; pass < repeats; ++pass)
    for (unsigned scale = 1; scale <= 8; ++scale) {
      const double start = cpu_seconds();
      pixels[scale] = decode_all(files, scale);
      best[scale] = std::min(best[scale], cpu_seconds() - start);
    }
  for (unsigned scale = 1; scale <= 8; ++scale)
    std::printf("{\"bench\": \"jpeg_scale\", \"scale\": \"%u/8\", \"files\": %zu, \"ms_per_image\": %.3f, "
                "\"megapixels_out\": %.1f}\n",
                scale, files.size(), 1e3 * best[scale] / static_cast<double>(files.size()), 1e-6 * static_cast<double>(pixels[scale]));
}
