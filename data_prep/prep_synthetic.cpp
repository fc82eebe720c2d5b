// varstyle-prep synthetic: the embedded default dataset (procedural scenes and textures), written
// through the same sharding engine as real images.
#include <fmt/format.h>
#include <opencv2/core.hpp>

#include "core/error.h"
#include "prep_commands.h"
#include "synthetic_images.h"

namespace varstyle {

PrepSummary prep_synthetic(const SyntheticOptions& options) {
  if (options.kind != "content" && options.kind != "style")
    throw ConfigError(fmt::format("--kind {}: expected content or style", options.kind));
  if (options.count < 1) throw ConfigError(fmt::format("--count {}: must be at least 1", options.count));
  PrepJob job;
  job.kind = "synthetic-" + options.kind;
  job.output = options.output;
  job.size = options.size;
  job.shard_size = options.shard_size;
  job.threads = resolve_threads(options.threads);
  job.progress = options.progress;
  job.options_fingerprint = fmt::format("seed={}", options.seed);
  for (int64_t i = 0; i < options.count; ++i)
    job.sources.push_back(fmt::format("synthetic-{}/{:07d}", options.kind, i));
  cv::setNumThreads(1);
  const bool content = options.kind == "content";
  const uint64_t seed = options.seed;
  const int size = options.size;
  job.produce = [content, seed, size](size_t item) {
    const auto index = static_cast<int64_t>(item);
    return ProducedImage{content ? draw_synthetic_content(seed, index, size)
                                 : draw_synthetic_style(seed, index, size),
                         ""};
  };
  return run_prep_job(job);
}

}  // namespace varstyle
