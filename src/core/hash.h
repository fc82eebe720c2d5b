// Content checksums (xxHash XXH3-64): per image inside shards, per shard file in the manifest.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace varstyle {

uint64_t checksum_bytes(const void* data, size_t size);
// Streams the file through XXH3-64; throws Error naming the file when it cannot be read.
uint64_t checksum_file(const std::filesystem::path& path);
// 16 lowercase hex digits, the form stored in manifests.
std::string checksum_hex(uint64_t value);

// Mixes 64-bit keys into one well-distributed value (splitmix64 finaliser); the basis of every
// keyed random stream, so a value depends only on its keys, never on call order or thread.
uint64_t mix_keys(uint64_t a, uint64_t b = 0, uint64_t c = 0, uint64_t d = 0);

}  // namespace varstyle
