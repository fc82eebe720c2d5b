// varstyle-prep: image folders or procedural draws -> 256x256 uint8 HDF5 shards + manifest;
// `verify` checks a prepared folder. Flag parsing only; the work is in prep_commands.h.
#include <cstdlib>
#include <iostream>
#include <map>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "core/crash_report.h"
#include "core/error.h"
#include "prep_commands.h"

using namespace varstyle;

namespace {

void print_summary(const PrepSummary& summary, const std::filesystem::path& output) {
  std::map<std::string, int64_t> by_reason;
  for (const auto& item : summary.skipped) by_reason[item.reason.substr(0, item.reason.find(':'))] += 1;
  fmt::print("converted {} images into {} shard(s) in {} ({:.1f} s{})\n", summary.converted,
             summary.shards, output.string(), summary.seconds,
             summary.resumed_items > 0 ? fmt::format(", resumed after item {}", summary.resumed_items) : "");
  if (!summary.skipped.empty()) {
    fmt::print("skipped {} file(s), listed in {}:\n", summary.skipped.size(),
               (output / kPrepReportName).string());
    for (const auto& [reason, count] : by_reason) fmt::print("  {:>6}  {}\n", count, reason);
  }
}

int finish(const PrepSummary& summary, const std::filesystem::path& output) {
  print_summary(summary, output);
  if (summary.converted == 0) {
    fmt::print(stderr, "varstyle-prep: error: no image could be converted\n");
    return static_cast<int>(ExitCode::kNothingDone);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  varstyle::install_crash_report("varstyle-prep");
  CLI::App app{"varstyle-prep: prepare image datasets as HDF5 shards for varstyle"};
  app.require_subcommand(1);
  app.set_version_flag("--version", kToolVersion);

  ImagesOptions images;
  std::vector<std::string> inputs;
  auto* images_cmd = app.add_subcommand("images", "convert folders of photos or paintings");
  images_cmd->add_option("--input", inputs, "folder to walk recursively (repeatable)")->required();
  images_cmd->add_option("--output", images.output, "output folder")->required();
  images_cmd->add_option("--size", images.size, "output side in pixels")->check(CLI::Range(8, 4096));
  images_cmd->add_option("--shard-size", images.shard_size, "images per shard")->check(CLI::Range(1, 1 << 24));
  images_cmd->add_option("--threads", images.threads, "decoding threads (0: all cores)")->check(CLI::Range(0, 1024));
  images_cmd->add_option("--labels", images.labels, "none | subdirs (first sub-folder names the class)")
      ->check(CLI::IsMember({"none", "subdirs"}));
  images_cmd->add_option("--min-side", images.min_side, "skip images whose shorter side is smaller")->check(CLI::Range(1, 1 << 20));
  images_cmd->add_option("--max-pixels", images.max_pixels, "skip images with more pixels (bomb guard)")->check(CLI::Range(int64_t{1}, int64_t{1} << 40));
  images_cmd->add_flag("!--no-progress", images.progress, "no progress line");

  SyntheticOptions synthetic;
  auto* synthetic_cmd = app.add_subcommand("synthetic", "draw the embedded procedural dataset");
  synthetic_cmd->add_option("--kind", synthetic.kind, "content | style")->required()->check(CLI::IsMember({"content", "style"}));
  synthetic_cmd->add_option("--count", synthetic.count, "number of images")->required()->check(CLI::Range(int64_t{1}, int64_t{1} << 32));
  synthetic_cmd->add_option("--output", synthetic.output, "output folder")->required();
  synthetic_cmd->add_option("--size", synthetic.size, "image side in pixels")->check(CLI::Range(8, 4096));
  synthetic_cmd->add_option("--seed", synthetic.seed, "seed of the drawing");
  synthetic_cmd->add_option("--shard-size", synthetic.shard_size, "images per shard")->check(CLI::Range(1, 1 << 24));
  synthetic_cmd->add_option("--threads", synthetic.threads, "drawing threads (0: all cores)")->check(CLI::Range(0, 1024));
  synthetic_cmd->add_flag("!--no-progress", synthetic.progress, "no progress line");

  std::string verify_folder;
  auto* verify_cmd = app.add_subcommand("verify", "check a prepared folder against its manifest");
  verify_cmd->add_option("folder", verify_folder, "varstyle-prep output folder")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : static_cast<int>(ExitCode::kBadConfig);
  }

  try {
    if (*images_cmd) {
      for (const auto& input : inputs) images.inputs.emplace_back(input);
      // OpenCV reads this once, before its first decode: its own guard for formats whose header
      // varstyle does not parse.
      setenv("OPENCV_IO_MAX_IMAGE_PIXELS", std::to_string(images.max_pixels).c_str(), 1);
      return finish(prep_images(images), images.output);
    }
    if (*synthetic_cmd) return finish(prep_synthetic(synthetic), synthetic.output);
    const VerifyReport report = verify_dataset(verify_folder);
    for (const auto& problem : report.problems) fmt::print(stderr, "varstyle-prep verify: {}\n", problem);
    if (!report.ok()) {
      fmt::print(stderr, "varstyle-prep verify: {} of {} shard(s) failed\n", report.problems.size(), report.shards);
      return static_cast<int>(ExitCode::kFailure);
    }
    fmt::print("{}: OK ({} shards, {} images)\n", verify_folder, report.shards, report.images);
    return 0;
  } catch (const Error& e) {
    fmt::print(stderr, "varstyle-prep: error: {}\n", e.what());
    return static_cast<int>(e.code());
  } catch (const std::exception& e) {
    fmt::print(stderr, "varstyle-prep: error: {}\n", e.what());
    return static_cast<int>(ExitCode::kFailure);
  }
}
