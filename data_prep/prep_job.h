// The sharding engine behind every varstyle-prep command: items (files or synthetic draws) are
// produced in parallel and written in item order into shards of a fixed size, so output does not
// depend on the thread count; a journal after each committed shard makes a rerun resume.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace varstyle {

inline constexpr const char* kPrepReportName = "prep_report.json";
inline constexpr const char* kPrepJournalName = "prep_progress.json";
inline constexpr const char* kPrepLockName = ".prep.lock";  // held while a run writes the folder
extern const char* const kToolVersion;

struct ProducedImage {
  cv::Mat rgb;          // size x size CV_8UC3 RGB, or empty
  std::string reason;   // why the item was skipped
};

struct PrepJob {
  std::string kind;                       // manifest "kind": images, synthetic-content, ...
  std::filesystem::path output;
  int size = 256;
  int64_t shard_size = 1000;
  int threads = 1;
  std::vector<std::string> sources;       // one name per item, in output order
  std::vector<int32_t> labels;            // per item (-1: none); empty: the dataset has no labels
  std::vector<std::string> label_names;
  std::string options_fingerprint;        // everything else that changes the output
  std::function<ProducedImage(size_t item)> produce;  // called from worker threads
  bool progress = true;
};

struct SkippedItem {
  std::string source;
  std::string reason;
};

struct PrepSummary {
  int64_t converted = 0;
  int64_t shards = 0;
  int64_t resumed_items = 0;             // items covered by shards kept from an earlier run
  std::vector<SkippedItem> skipped;
  double seconds = 0;
};

// `name` with every byte that is not part of valid UTF-8 written as \xHH: file names on Linux are
// any bytes, but the report, the journal and the shards' /sources hold UTF-8 text.
std::string escape_invalid_utf8(const std::string& name);

// Runs the job; writes OUT/shard-*.h5, OUT/manifest.json and OUT/prep_report.json. Throws Error
// naming the output when it cannot be written or holds another job's shards.
PrepSummary run_prep_job(const PrepJob& job);

}  // namespace varstyle
