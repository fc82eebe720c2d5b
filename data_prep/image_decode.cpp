// Image decoding for varstyle-prep: format sniffing, header-level size guards before decoding,
// JPEG through jpeg_decode, PNG/BMP/WebP/TIFF through OpenCV's imgcodecs (image_codecs), then
// the short-side area reduction and centre crop every format shares.
#include "image_decode.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <opencv2/imgproc.hpp>

#include "image/resize.h"
#include "image_codecs.h"
#include "jpeg_decode.h"

namespace varstyle {
namespace fs = std::filesystem;

namespace {

enum class Format { kJpeg, kPng, kBmp, kWebp, kTiff, kUnknown };

Format sniff(const std::string& b) {
  auto starts = [&](const char* magic, size_t n, size_t at = 0) {
    return b.size() >= at + n && b.compare(at, n, magic, n) == 0;
  };
  if (starts("\xFF\xD8\xFF", 3)) return Format::kJpeg;
  if (starts("\x89PNG\r\n\x1A\n", 8)) return Format::kPng;
  if (starts("BM", 2)) return Format::kBmp;
  if (starts("RIFF", 4) && starts("WEBP", 4, 8)) return Format::kWebp;
  if (starts("II*\0", 4) || starts("MM\0*", 4)) return Format::kTiff;
  return Format::kUnknown;
}

uint32_t big_endian_32(const std::string& b, size_t at) {
  return (uint32_t(uint8_t(b[at])) << 24) | (uint32_t(uint8_t(b[at + 1])) << 16) |
         (uint32_t(uint8_t(b[at + 2])) << 8) | uint32_t(uint8_t(b[at + 3]));
}

// libpng writes to stderr, through OpenCV, which offers no way to silence it: a warning for a
// colour profile it finds wrong ("iCCP: known incorrect sRGB profile", common in files saved by
// older tools) and an error for a file that ends early. So the chunk list is walked first: a file
// that ends before its IEND chunk is refused here with a reason, and the iCCP chunk is dropped
// (varstyle takes every image's pixels as sRGB and ignores profiles anyway: the same pixels).
// Returns the reason, or "" with *without_profile holding the bytes less the iCCP chunk when the
// file has one (left empty otherwise, so that most files are never copied).
std::string check_png_chunks(const std::string& bytes, std::string* without_profile) {
  size_t at = 8;
  while (true) {
    if (at + 12 > bytes.size() || big_endian_32(bytes, at) > bytes.size() - at - 12)
      return "corrupt or truncated PNG (its chunks end before the IEND chunk)";
    const size_t chunk = big_endian_32(bytes, at) + 12;
    if (bytes.compare(at + 4, 4, "iCCP") == 0)
      *without_profile = bytes.substr(0, at) + bytes.substr(at + chunk);  // one profile at most
    if (bytes.compare(at + 4, 4, "IEND") == 0) return "";
    at += chunk;
  }
}

DecodedImage decode_other(const std::string& bytes, Format format, const DecodeOptions& options) {
  DecodedImage result;
  if (format == Format::kPng) {
    if (bytes.size() < 24) return {cv::Mat(), "truncated PNG (no header)"};
    result.reason = check_dimensions(big_endian_32(bytes, 16), big_endian_32(bytes, 20), options);
    if (!result.reason.empty()) return result;
  }
  std::string without_profile;
  if (format == Format::kPng) result.reason = check_png_chunks(bytes, &without_profile);
  if (!result.reason.empty()) return result;
  const ImdecodeResult imdecoded = imdecode_unchanged(without_profile.empty() ? bytes : without_profile);
  if (imdecoded.unavailable) return {cv::Mat(), imdecoded.error};
  if (imdecoded.threw) {
    if (imdecoded.what.find("MAX_IMAGE_PIXELS") != std::string::npos)
      return {cv::Mat(), fmt::format("too large: exceeds {} pixels (decompression bomb guard)",
                                     options.max_pixels)};
    return {cv::Mat(), "corrupt image: " + imdecoded.error};
  }
  const cv::Mat& decoded = imdecoded.image;
  if (decoded.empty()) return {cv::Mat(), "corrupt or truncated image (decoder failed)"};
  result.reason = check_dimensions(decoded.cols, decoded.rows, options);
  if (!result.reason.empty()) return result;
  cv::Mat rgb = to_rgb8(decoded);
  if (rgb.empty())
    return {cv::Mat(), fmt::format("unsupported pixel layout ({} channels, depth {})",
                                   decoded.channels(), decoded.depth())};
  result.rgb = resize_and_center_crop(rgb, options.size);
  return result;
}

}  // namespace

std::string check_dimensions(int64_t width, int64_t height, const DecodeOptions& options) {
  if (width <= 0 || height <= 0) return fmt::format("invalid dimensions {}x{}", width, height);
  if (width * height > options.max_pixels)
    return fmt::format("too large: {}x{} exceeds {} pixels (decompression bomb guard, --max-pixels)",
                       width, height, options.max_pixels);
  if (std::min(width, height) < options.min_side)
    return fmt::format("too small: {}x{}, shorter side below {} (--min-side)", width, height,
                       options.min_side);
  return "";
}

cv::Mat to_rgb8(const cv::Mat& decoded) {
  cv::Mat eight;
  switch (decoded.depth()) {
    case CV_8U: eight = decoded; break;
    case CV_16U: decoded.convertTo(eight, CV_8U, 1.0 / 257.0); break;
    case CV_32F:
    case CV_64F: decoded.convertTo(eight, CV_8U, 255.0); break;  // float images are in [0, 1]
    default: return cv::Mat();
  }
  cv::Mat rgb;
  switch (eight.channels()) {
    case 1: cv::cvtColor(eight, rgb, cv::COLOR_GRAY2RGB); return rgb;
    case 3: cv::cvtColor(eight, rgb, cv::COLOR_BGR2RGB); return rgb;
    case 2:
    case 4: {
      // Composite over white: transparent regions often hide arbitrary colour values.
      std::vector<cv::Mat> planes;
      cv::split(eight, planes);
      cv::Mat alpha;
      planes.back().convertTo(alpha, CV_32F, 1.0 / 255.0);
      std::vector<cv::Mat> colour;
      if (eight.channels() == 2) colour = {planes[0], planes[0], planes[0]};
      else colour = {planes[2], planes[1], planes[0]};  // BGR(A) -> RGB
      for (auto& plane : colour) {
        cv::Mat value;
        plane.convertTo(value, CV_32F);
        value = value.mul(alpha) + 255.0f * (1.0f - alpha);
        value.convertTo(plane, CV_8U);
      }
      cv::merge(colour, rgb);
      return rgb;
    }
    default: return cv::Mat();
  }
}

SquareWindow square_window(cv::Size source, int size) {
  cv::Size resized(size, size);
  if (source.width < source.height)
    resized.height = std::max(size, static_cast<int>(std::lround(double(source.height) * size / source.width)));
  else
    resized.width = std::max(size, static_cast<int>(std::lround(double(source.width) * size / source.height)));
  return {resized, cv::Rect((resized.width - size) / 2, (resized.height - size) / 2, size, size)};
}

cv::Mat resize_and_center_crop(const cv::Mat& rgb, int size) {
  // varstyle's one resize rule (image/resize.h): area reduction, or bicubic for a short side
  // below `size`.
  const SquareWindow square = square_window(rgb.size(), size);
  return resize_window(rgb, square.resized, square.window);
}

DecodedImage decode_square_image_bytes(const std::string& bytes, const DecodeOptions& options) {
  if (bytes.empty()) return {cv::Mat(), "empty file (0 bytes)"};
  const Format format = sniff(bytes);
  if (format == Format::kUnknown) return {cv::Mat(), "not an image (unrecognised file signature)"};
  try {
    if (format == Format::kJpeg) return decode_jpeg(bytes, options);
    return decode_other(bytes, format, options);
  } catch (const cv::Exception& e) {
    return {cv::Mat(), "decoder error: " + e.err};
  } catch (const std::bad_alloc&) {
    return {cv::Mat(), "out of memory while decoding"};
  }
}

namespace {

std::string file_type_name(mode_t mode) {
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

// The whole file, or why not. Only regular files are read: a FIFO would block forever and a link
// to a device (/dev/zero) would never end, so the type is checked before opening, and again on
// the open descriptor in case the path was swapped in between.
std::string read_regular_file(const fs::path& path, std::string* bytes) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    const int error = errno;
    return fmt::format("unreadable: {}", std::strerror(error));
  }
  if (!S_ISREG(info.st_mode)) return fmt::format("not a regular file: {}", file_type_name(info.st_mode));
  if (info.st_size > kMaxImageFileBytes)
    return fmt::format("file too large: {} bytes (limit {})", info.st_size, kMaxImageFileBytes);
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    const int error = errno;
    return fmt::format("unreadable: {}", std::strerror(error));
  }
  std::string reason;
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    reason = "not a regular file: it changed while being opened";
  } else if (info.st_size > kMaxImageFileBytes) {
    reason = fmt::format("file too large: {} bytes (limit {})", info.st_size, kMaxImageFileBytes);
  } else {
    bytes->resize(static_cast<size_t>(info.st_size));
    size_t done = 0;
    while (done < bytes->size()) {
      const ssize_t n = ::read(fd, bytes->data() + done, bytes->size() - done);
      if (n < 0) {
        const int error = errno;
        if (error == EINTR) continue;
        reason = fmt::format("unreadable: {}", std::strerror(error));
        break;
      }
      if (n == 0) break;  // shrank while reading: decode what is there (truncation is caught)
      done += static_cast<size_t>(n);
    }
    bytes->resize(done);
  }
  ::close(fd);
  return reason;
}

}  // namespace

DecodedImage decode_square_image(const fs::path& path, const DecodeOptions& options) {
  std::string bytes;
  const std::string reason = read_regular_file(path, &bytes);
  if (!reason.empty()) return {cv::Mat(), reason};
  return decode_square_image_bytes(bytes, options);
}

}  // namespace varstyle
