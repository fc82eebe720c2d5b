// run_prep_job: parallel production, in-order shard writing, journal-based resume, manifest and
// report. Every output file is committed atomically.
#include "prep_job.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <map>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/folder_lock.h"
#include "core/hash.h"
#include "data/manifest.h"
#include "data/shard_writer.h"
#include "progress.h"

namespace varstyle {
namespace fs = std::filesystem;
using nlohmann::json;

const char* const kToolVersion = "varstyle-prep " VARSTYLE_VERSION;

namespace {

struct JournalShard {
  ShardEntry entry;
  int64_t first_item = 0;
  int64_t end_item = 0;   // one past the last item this shard consumed
};

struct Journal {
  std::string fingerprint;
  std::vector<JournalShard> shards;
  std::vector<std::pair<int64_t, SkippedItem>> skipped;  // (item, what)
  int64_t next_item() const { return shards.empty() ? 0 : shards.back().end_item; }
};

// The length of the valid UTF-8 sequence starting at text[i], or 0 when there is none (overlong
// forms, surrogates and code points above U+10FFFF included).
size_t utf8_sequence_length(const std::string& text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) return 1;
  size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // the allowed range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) length = 2;
  else if (lead == 0xE0) length = 3, low = 0xA0;
  else if (lead >= 0xE1 && lead <= 0xEC) length = 3;
  else if (lead == 0xED) length = 3, high = 0x9F;
  else if (lead >= 0xEE && lead <= 0xEF) length = 3;
  else if (lead == 0xF0) length = 4, low = 0x90;
  else if (lead >= 0xF1 && lead <= 0xF3) length = 4;
  else if (lead == 0xF4) length = 4, high = 0x8F;
  else return 0;
  if (i + length > text.size()) return 0;
  if (byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (size_t k = 2; k < length; ++k)
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  return length;
}

std::string fingerprint_of(const PrepJob& job) {
  std::string text = fmt::format("{}\n{}\n{}\n{}\n", job.kind, job.size, job.shard_size,
                                 job.options_fingerprint);
  for (const auto& source : job.sources) text += source + "\n";
  for (auto label : job.labels) text += fmt::format("{},", label);
  for (const auto& name : job.label_names) text += name + "\n";
  return checksum_hex(checksum_bytes(text.data(), text.size()));
}

std::string journal_json(const Journal& journal) {
  json root;
  root["fingerprint"] = journal.fingerprint;
  root["shards"] = json::array();
  for (const auto& s : journal.shards)
    root["shards"].push_back({{"file", s.entry.file}, {"count", s.entry.count},
                              {"bytes", s.entry.bytes}, {"checksum", s.entry.checksum},
                              {"first_item", s.first_item}, {"end_item", s.end_item}});
  root["skipped"] = json::array();
  for (const auto& [item, what] : journal.skipped)
    root["skipped"].push_back({{"item", item}, {"source", what.source}, {"reason", what.reason}});
  // Names are escaped when collected; replacing any invalid byte left keeps one odd name from
  // ever ending the run.
  return root.dump(1, ' ', false, json::error_handler_t::replace) + "\n";
}

// Keeps the journal's shards that are still on disk as recorded, stopping at the first that is
// not; a later shard cannot be trusted without the ones before it.
Journal load_journal(const fs::path& output, const std::string& fingerprint, int64_t items) {
  Journal journal;
  journal.fingerprint = fingerprint;
  const fs::path path = output / kPrepJournalName;
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    if (fs::exists(output / kManifestName, ec) || fs::exists(output / shard_file_name(0), ec))
      throw Error(fmt::format("{}: holds a dataset that was not made by this command (no {}); "
                              "choose another --output",
                              output.string(), kPrepJournalName));
    return journal;
  }
  json root;
  try {
    root = json::parse(read_file(path));
    if (root.at("fingerprint").get<std::string>() != fingerprint)
      throw Error(fmt::format("{}: holds shards of a different prep run (the inputs or options "
                              "changed); choose another --output or delete it",
                              output.string()));
    for (const auto& s : root.at("shards")) {
      JournalShard shard;
      shard.entry.file = s.at("file").get<std::string>();
      shard.entry.count = s.at("count").get<int64_t>();
      shard.entry.bytes = s.at("bytes").get<int64_t>();
      shard.entry.checksum = s.at("checksum").get<std::string>();
      shard.first_item = s.at("first_item").get<int64_t>();
      shard.end_item = s.at("end_item").get<int64_t>();
      // Items index the job's sources: a journal edited by hand must not index past them.
      if (shard.first_item != journal.next_item() || shard.end_item < shard.first_item || shard.end_item > items)
        throw Error(fmt::format("{}: shard {} covers items [{}, {}), which do not follow on within the {} items; "
                                "delete it to start over", path.string(), shard.entry.file, shard.first_item,
                                shard.end_item, items));
      const fs::path file = output / shard.entry.file;
      if (!fs::is_regular_file(file, ec) ||
          static_cast<int64_t>(fs::file_size(file, ec)) != shard.entry.bytes)
        break;
      journal.shards.push_back(shard);
    }
    for (const auto& s : root.at("skipped")) {
      const int64_t item = s.at("item").get<int64_t>();
      if (item < journal.next_item())
        journal.skipped.push_back({item, {s.at("source").get<std::string>(), s.at("reason").get<std::string>()}});
    }
  } catch (const json::exception& e) {
    throw Error(fmt::format("{}: unreadable resume journal ({}); delete it to start over",
                            path.string(), e.what()));
  }
  return journal;
}

// Runs `produce` on worker threads up to a window ahead of the consumer and hands the results
// out strictly in item order, so that the output never depends on the thread count. The
// destructor stops and joins the workers, also when the consumer leaves by an exception.
class OrderedProducer {
 public:
  OrderedProducer(const std::function<ProducedImage(size_t)>& produce, int64_t first, int64_t end,
                  int threads)
      : produce_(produce), next_(first), end_(end), taken_(first),
        slots_(static_cast<size_t>(std::max(4, threads * 4))) {
    for (int t = 0; t < threads; ++t) workers_.emplace_back([this] { work(); });
  }
  ~OrderedProducer() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();
    for (auto& worker : workers_) worker.join();
  }

  ProducedImage take(int64_t item) {
    std::unique_lock<std::mutex> lock(mutex_);
    Slot& slot = slots_[static_cast<size_t>(item) % slots_.size()];
    changed_.wait(lock, [&] { return slot.ready; });
    ProducedImage image = std::move(slot.image);
    slot.ready = false;
    taken_ = item + 1;
    lock.unlock();
    changed_.notify_all();
    return image;
  }

 private:
  struct Slot {
    ProducedImage image;
    bool ready = false;
  };

  void work() {
    while (true) {
      int64_t item = 0;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        changed_.wait(lock, [&] {
          return stopping_ || next_ >= end_ || next_ < taken_ + static_cast<int64_t>(slots_.size());
        });
        if (stopping_ || next_ >= end_) return;
        item = next_++;
      }
      ProducedImage image;
      try {
        image = produce_(static_cast<size_t>(item));
      } catch (const std::exception& e) {
        image = {cv::Mat(), fmt::format("internal error: {}", e.what())};
      }
      {
        std::lock_guard<std::mutex> lock(mutex_);
        Slot& slot = slots_[static_cast<size_t>(item) % slots_.size()];
        slot.image = std::move(image);
        slot.ready = true;
      }
      changed_.notify_all();
    }
  }

  const std::function<ProducedImage(size_t)>& produce_;
  int64_t next_;
  const int64_t end_;
  int64_t taken_;
  std::vector<Slot> slots_;
  bool stopping_ = false;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::thread> workers_;
};

void remove_stale_temporaries(const fs::path& output) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(output, ec)) {
    if (entry.path().filename().string().find(".tmp-") != std::string::npos)
      fs::remove(entry.path(), ec);
  }
}

std::string reason_class(const std::string& reason) {
  const auto colon = reason.find(':');
  return colon == std::string::npos ? reason : reason.substr(0, colon);
}

void write_outputs(const PrepJob& job, const Journal& journal, PrepSummary& summary) {
  Manifest manifest;
  manifest.size = job.size;
  manifest.kind = job.kind;
  manifest.tool_version = kToolVersion;
  manifest.label_names = job.label_names;
  for (const auto& shard : journal.shards) {
    manifest.shards.push_back(shard.entry);
    manifest.count += shard.entry.count;
  }
  write_file_atomic(job.output / kManifestName, manifest.to_json());

  json report;
  report["tool_version"] = kToolVersion;
  report["kind"] = job.kind;
  report["output"] = escape_invalid_utf8(job.output.string());
  report["items"] = job.sources.size();
  report["converted"] = manifest.count;
  report["shards"] = manifest.shards.size();
  report["resumed_items"] = summary.resumed_items;
  report["seconds"] = summary.seconds;
  report["skipped_count"] = journal.skipped.size();
  std::map<std::string, int64_t> by_reason;
  report["skipped"] = json::array();
  for (const auto& [item, what] : journal.skipped) {
    report["skipped"].push_back({{"file", what.source}, {"reason", what.reason}});
    by_reason[reason_class(what.reason)] += 1;
  }
  report["skipped_by_reason"] = by_reason;
  write_file_atomic(job.output / kPrepReportName, report.dump(2, ' ', false, json::error_handler_t::replace) + "\n");
  summary.converted = manifest.count;
  summary.shards = static_cast<int64_t>(manifest.shards.size());
  for (const auto& [item, what] : journal.skipped) summary.skipped.push_back(what);
}

}  // namespace

std::string escape_invalid_utf8(const std::string& name) {
  std::string escaped;
  escaped.reserve(name.size());
  for (size_t i = 0; i < name.size();) {
    const size_t length = utf8_sequence_length(name, i);
    if (length == 0) {
      escaped += fmt::format("\\x{:02X}", static_cast<unsigned char>(name[i]));
      ++i;
    } else {
      escaped.append(name, i, length);
      i += length;
    }
  }
  return escaped;
}

PrepSummary run_prep_job(const PrepJob& job) {
  const auto start = std::chrono::steady_clock::now();
  std::error_code ec;
  fs::create_directories(job.output, ec);
  if (ec || !fs::is_directory(job.output))
    throw Error(fmt::format("{}: cannot create the output folder: {}", job.output.string(),
                            ec ? ec.message() : "not a folder"));
  // Held to the end: a second run on this folder would delete this one's temporary files as
  // stale, and both would append to one journal.
  const FolderLock lock(job.output, kPrepLockName, fmt::format("varstyle-prep {}", job.kind));
  remove_stale_temporaries(job.output);

  Journal journal = load_journal(job.output, fingerprint_of(job), static_cast<int64_t>(job.sources.size()));
  PrepSummary summary;
  summary.resumed_items = journal.next_item();
  const auto items = static_cast<int64_t>(job.sources.size());
  const int threads = std::max(1, job.threads);

  ProgressLine progress("prep", items - summary.resumed_items, job.progress);
  std::unique_ptr<ShardWriter> writer;
  int64_t shard_first_item = journal.next_item();
  int64_t converted = 0;
  for (const auto& shard : journal.shards) converted += shard.entry.count;
  const int64_t resumed_converted = converted;
  const auto resumed_skipped = static_cast<int64_t>(journal.skipped.size());
  auto commit = [&](int64_t end_item) {
    ShardEntry entry = writer->commit(job.label_names, kToolVersion);
    writer.reset();
    journal.shards.push_back({entry, shard_first_item, end_item});
    write_file_atomic(job.output / kPrepJournalName, journal_json(journal));
    shard_first_item = end_item;
  };

  OrderedProducer producer(job.produce, journal.next_item(), items, threads);
  for (int64_t i = journal.next_item(); i < items; ++i) {
    ProducedImage image = producer.take(i);
    const auto& source = job.sources[static_cast<size_t>(i)];
    if (image.rgb.empty()) {
      journal.skipped.push_back({i, {source, image.reason.empty() ? "no image" : image.reason}});
    } else {
      if (!writer) {
        const fs::path path = job.output / shard_file_name(static_cast<int64_t>(journal.shards.size()));
        writer = std::make_unique<ShardWriter>(path, job.size, !job.labels.empty());
      }
      writer->append(image.rgb.ptr<uint8_t>(), source,
                     job.labels.empty() ? -1 : job.labels[static_cast<size_t>(i)]);
      ++converted;
      if (writer->count() == job.shard_size) commit(i + 1);
    }
    progress.update(converted - resumed_converted,
                    static_cast<int64_t>(journal.skipped.size()) - resumed_skipped);
  }
  if (writer) commit(items);
  // Items after the last shard that were all skipped still count as done.
  if (!journal.shards.empty()) journal.shards.back().end_item = items;
  write_file_atomic(job.output / kPrepJournalName, journal_json(journal));
  progress.finish(converted - resumed_converted,
                  static_cast<int64_t>(journal.skipped.size()) - resumed_skipped);

  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  write_outputs(job, journal, summary);
  return summary;
}

}  // namespace varstyle
