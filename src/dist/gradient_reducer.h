// GradientReducer: averages gradients over ranks in buckets (dist.bucket_mb; a small first
// bucket) that are contiguous ranges of the flat gradient buffer (dist/flat_parameters.h), so
// nothing is copied in or out. A post hook on each parameter's gradient accumulator marks it
// ready once autograd has added this backward's gradient into its view; a bucket's all-reduce
// starts in place when its last gradient is ready, in bucket order on every rank, so
// communication overlaps the rest of backward (as PyTorch DDP).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/timeline.h"
#include "dist/communicator.h"
#include "dist/flat_parameters.h"

namespace torch::autograd {
struct Node;
}

namespace varstyle {

class GradientReducer {
 public:
  GradientReducer(FlatParameters& flat, Communicator& communicator, double bucket_mb, double first_bucket_mb,
                  Timeline* timeline = nullptr);
  ~GradientReducer();
  GradientReducer(const GradientReducer&) = delete;
  GradientReducer& operator=(const GradientReducer&) = delete;

  // false during the micro-steps of gradient accumulation that must not communicate.
  void set_sync(bool sync) { sync_ = sync; }
  // After backward: launches what has not been launched (a parameter that got no gradient
  // contributes what its view holds: zeros, or earlier micro-steps), waits (on CUDA: orders the
  // compute stream after the collectives) and divides by the number of ranks, in place.
  void finalize();

  // Parameter indices of each bucket, in launch order (for tests and logs).
  std::vector<std::vector<size_t>> bucket_members() const;

 private:
  struct Bucket;
  void mark_ready(size_t parameter);
  void launch_in_order();

  FlatParameters& flat_;
  Communicator& communicator_;
  Timeline* timeline_;
  std::vector<std::unique_ptr<Bucket>> buckets_;
  std::vector<size_t> bucket_of_;  // parameter -> bucket
  std::vector<bool> ready_;
  // The accumulators hold the hooks; kept alive here (a parameter holds only a weak reference).
  std::vector<std::shared_ptr<torch::autograd::Node>> accumulators_;
  std::vector<uintptr_t> hooks_;
  size_t next_launch_ = 0;
  bool sync_ = true;
};

}  // namespace varstyle
