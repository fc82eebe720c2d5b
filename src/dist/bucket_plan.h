// Which gradients share an all-reduce: contiguous ranges of the flat gradient buffer, filled in
// the buffer's order (reverse registration, the order backward produces them) until a bucket
// holds bucket_mb, the first one closing at first_bucket_mb so that it starts early. One plan
// for the gradient reducer and for `varstyle bench allreduce`, which times the same messages.
#pragma once

#include <cstdint>
#include <vector>

#include "dist/flat_parameters.h"

namespace varstyle {

struct BucketRange {
  std::vector<size_t> members;  // parameter indices, in launch order
  int64_t begin = 0, end = 0;   // element range of FlatParameters::grads()
};

std::vector<BucketRange> plan_buckets(const FlatParameters& flat, double bucket_mb, double first_bucket_mb);

}  // namespace varstyle
