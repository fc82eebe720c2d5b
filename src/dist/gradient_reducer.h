// GradientReducer: averages gradients over ranks in flat buckets (dist.bucket_mb; a small first
// bucket) filled in reverse registration order. Autograd hooks copy each gradient into its bucket
// as soon as it is ready, and a bucket's all-reduce starts when its last gradient arrives, in
// bucket order on every rank, so communication overlaps the rest of backward (as PyTorch DDP).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/timeline.h"
#include "dist/communicator.h"

namespace varstyle {

class GradientReducer {
 public:
  GradientReducer(std::vector<at::Tensor> parameters, Communicator& communicator, double bucket_mb,
                  double first_bucket_mb, Timeline* timeline = nullptr);
  ~GradientReducer();
  GradientReducer(const GradientReducer&) = delete;
  GradientReducer& operator=(const GradientReducer&) = delete;

  // false during the micro-steps of gradient accumulation that must not communicate.
  void set_sync(bool sync) { sync_ = sync; }
  // After backward: launches what has not been launched (a parameter that got no gradient
  // contributes zeros), waits, and writes the averaged gradients into each parameter's .grad.
  void finalize();

  // Parameter indices of each bucket, in launch order (for tests and logs).
  std::vector<std::vector<size_t>> bucket_members() const;

 private:
  struct Bucket;
  void mark_ready(size_t parameter, const at::Tensor& gradient);
  void launch_in_order();

  std::vector<at::Tensor> parameters_;
  Communicator& communicator_;
  Timeline* timeline_;
  std::vector<std::unique_ptr<Bucket>> buckets_;
  std::vector<size_t> bucket_of_;     // parameter -> bucket
  std::vector<int64_t> offset_of_;    // parameter -> offset in its bucket
  std::vector<bool> ready_;
  std::vector<unsigned> hooks_;
  size_t next_launch_ = 0;
  bool sync_ = true;
};

}  // namespace varstyle
