// Typed configuration: one struct per YAML section, field names equal to the keys, defaults
// in-class. Each struct lists its fields once in visit(); loading, overrides, validation and
// printing all walk that list (config_schema.h), so a key cannot be known to one and not another.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace varstyle {

// Bounds for numeric fields (inclusive).
struct Range {
  double min;
  double max;
};
// The allowed values of a string field.
struct Choices {
  std::vector<std::string> values;
};

struct DataConfig {
  std::string content;            // varstyle-prep output folder of content images (manifest.json)
  std::string style;              // varstyle-prep output folder of style images
  int64_t batch_size = 8;         // images per rank and step, for each of content and style
  int64_t size = 256;             // training crop size (at most the stored image size)
  bool random_crop = true;        // random crop position; off = centre crop
  bool hflip = true;              // random horizontal flip with probability 1/2
  int64_t prefetch = 4;           // batches prepared ahead by the background thread
  bool verify_checksums = true;   // check each image against its stored checksum on read

  template <typename V>
  void visit(V& v) {
    v("content", content);
    v("style", style);
    v("batch_size", batch_size, Range{1, 1 << 16});
    v("size", size, Range{8, 4096});
    v("random_crop", random_crop);
    v("hflip", hflip);
    v("prefetch", prefetch, Range{1, 256});
    v("verify_checksums", verify_checksums);
  }
};

struct TrainConfig {
  int64_t seed = 0;               // keys every random stream: sampler order, crops, flips
  int64_t threads = 0;            // CPU threads per rank; 0 = cores / ranks on the node

  template <typename V>
  void visit(V& v) {
    v("seed", seed, Range{0, 9007199254740991.0});
    v("threads", threads, Range{0, 1024});
  }
};

struct Config {
  DataConfig data;
  TrainConfig train;

  template <typename V>
  void visit(V& v) {
    v("data", data);
    v("train", train);
  }
};

// Loads `file` and applies `overrides` ("section.key=value", value in YAML syntax).
// Throws ConfigError naming the file:line (or the override), the key path and the reason.
Config load_config(const std::filesystem::path& file, const std::vector<std::string>& overrides);
// Defaults plus overrides, with no file.
Config config_from_overrides(const std::vector<std::string>& overrides);

// The resolved configuration as YAML, every key present, in declaration order.
std::string config_to_yaml(const Config& config);

// Every key path ("data.batch_size"), in declaration order.
std::vector<std::string> config_keys();

// "did you mean" help: the closest of `candidates` to `word`, or "" when none is close.
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace varstyle
