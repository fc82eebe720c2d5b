// plan_buckets: greedy ranges over the flat layout.
#include "dist/bucket_plan.h"

namespace varstyle {

std::vector<BucketRange> plan_buckets(const FlatParameters& flat, double bucket_mb, double first_bucket_mb) {
  const auto& parameters = flat.parameters();
  std::vector<BucketRange> buckets;
  BucketRange current;
  int64_t current_bytes = 0;
  auto close = [&] {
    const size_t last = current.members.back();
    current.end = flat.offset(last) + flat.numel(last);
    const int64_t next_begin = current.end;
    buckets.push_back(std::move(current));
    current = BucketRange{};
    current.begin = next_begin;
    current_bytes = 0;
  };
  // Reverse registration order, the flat layout's: each bucket is one contiguous range.
  for (size_t i = parameters.size(); i-- > 0;) {
    current.members.push_back(i);
    current_bytes += parameters[i].numel() * static_cast<int64_t>(parameters[i].element_size());
    const double limit_mb = buckets.empty() ? first_bucket_mb : bucket_mb;
    if (static_cast<double>(current_bytes) >= limit_mb * 1024 * 1024) close();
  }
  if (!current.members.empty()) close();
  return buckets;
}

}  // namespace varstyle
