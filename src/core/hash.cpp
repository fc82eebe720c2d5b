// XXH3-64 checksums of memory and files, and the splitmix64 key mixer.
#include "core/hash.h"

#include <xxhash.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "core/error.h"

namespace varstyle {

uint64_t checksum_bytes(const void* data, size_t size) { return XXH3_64bits(data, size); }

uint64_t checksum_file(const std::filesystem::path& path) {
  errno = 0;  // a stream sets no error of its own: only a fresh errno says why the open failed
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int error = errno;
    throw Error(fmt::format("{}: cannot open: {}", path.string(), error ? std::strerror(error) : "unknown reason"));
  }
  std::unique_ptr<XXH3_state_t, decltype(&XXH3_freeState)> state(XXH3_createState(),
                                                                   &XXH3_freeState);
  XXH3_64bits_reset(state.get());
  std::vector<char> buffer(1 << 20);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    if (in.gcount() > 0) XXH3_64bits_update(state.get(), buffer.data(), in.gcount());
  }
  if (in.bad()) throw Error(fmt::format("{}: read failed", path.string()));
  return XXH3_64bits_digest(state.get());
}

std::string checksum_hex(uint64_t value) { return fmt::format("{:016x}", value); }

namespace {
uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
}  // namespace

uint64_t mix_keys(uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
  uint64_t h = splitmix64(a);
  h = splitmix64(h ^ b);
  h = splitmix64(h ^ c);
  return splitmix64(h ^ d);
}

}  // namespace varstyle
