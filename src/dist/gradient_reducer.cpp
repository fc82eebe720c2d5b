// GradientReducer: bucket layout, hook-driven in-order launches, finalize.
#include "dist/gradient_reducer.h"

#include <torch/csrc/autograd/variable.h>

#include <fmt/format.h>

namespace varstyle {

struct GradientReducer::Bucket {
  std::vector<size_t> members;
  at::Tensor buffer;
  size_t pending = 0;
  std::unique_ptr<Work> work;
  double launched_us = 0;
};

GradientReducer::GradientReducer(std::vector<at::Tensor> parameters, Communicator& communicator,
                                 double bucket_mb, double first_bucket_mb, Timeline* timeline)
    : parameters_(std::move(parameters)), communicator_(communicator), timeline_(timeline) {
  TORCH_CHECK(!parameters_.empty(), "GradientReducer needs parameters");
  const auto options = parameters_.front().options();
  bucket_of_.resize(parameters_.size());
  offset_of_.resize(parameters_.size());
  ready_.assign(parameters_.size(), false);
  // Reverse registration order approximates the order in which backward produces gradients.
  std::unique_ptr<Bucket> current;
  int64_t current_bytes = 0;
  auto close = [&] {
    int64_t numel = 0;
    for (size_t p : current->members) numel += parameters_[p].numel();
    current->buffer = at::zeros({numel}, options);
    buckets_.push_back(std::move(current));
  };
  for (size_t i = parameters_.size(); i-- > 0;) {
    const at::Tensor& parameter = parameters_[i];
    TORCH_CHECK(parameter.options().dtype() == options.dtype() && parameter.device() == options.device(),
                "all reduced parameters must share one dtype and device");
    if (!current) current = std::make_unique<Bucket>();
    offset_of_[i] = current_bytes / static_cast<int64_t>(parameter.element_size());
    bucket_of_[i] = buckets_.size();
    current->members.push_back(i);
    current_bytes += parameter.numel() * static_cast<int64_t>(parameter.element_size());
    const double limit_mb = buckets_.empty() ? first_bucket_mb : bucket_mb;
    if (static_cast<double>(current_bytes) >= limit_mb * 1024 * 1024) {
      close();
      current_bytes = 0;
    }
  }
  if (current) close();
  for (auto& bucket : buckets_) bucket->pending = bucket->members.size();
  for (size_t i = 0; i < parameters_.size(); ++i)
    hooks_.push_back(parameters_[i].register_hook([this, i](const at::Tensor& gradient) { mark_ready(i, gradient); }));
}

GradientReducer::~GradientReducer() {
  for (size_t i = 0; i < hooks_.size(); ++i) parameters_[i].remove_hook(hooks_[i]);
}

std::vector<std::vector<size_t>> GradientReducer::bucket_members() const {
  std::vector<std::vector<size_t>> result;
  for (const auto& bucket : buckets_) result.push_back(bucket->members);
  return result;
}

void GradientReducer::mark_ready(size_t parameter, const at::Tensor& gradient) {
  if (!sync_) return;
  Bucket& bucket = *buckets_[bucket_of_[parameter]];
  at::Tensor slice = bucket.buffer.narrow(0, offset_of_[parameter], parameters_[parameter].numel());
  // The hook sees this backward's gradient; earlier accumulation micro-steps sit in .grad.
  const at::Tensor& accumulated = parameters_[parameter].grad();
  if (accumulated.defined()) {
    at::add_out(slice, gradient.reshape({-1}), accumulated.reshape({-1}));
  } else {
    slice.copy_(gradient.reshape({-1}));
  }
  ready_[parameter] = true;
  bucket.pending -= 1;
  launch_in_order();
  // Give in-flight non-blocking collectives a chance to progress between hooks.
  for (size_t b = 0; b < next_launch_; ++b)
    if (buckets_[b]->work) buckets_[b]->work->poll();
}

void GradientReducer::launch_in_order() {
  // Every rank launches bucket k only after bucket k-1, so collectives always match up.
  while (next_launch_ < buckets_.size() && buckets_[next_launch_]->pending == 0) {
    Bucket& bucket = *buckets_[next_launch_];
    bucket.launched_us = timeline_ ? timeline_->now_us() : 0;
    bucket.work = communicator_.all_reduce_async(bucket.buffer, ReduceOp::kSum);
    ++next_launch_;
  }
}

void GradientReducer::finalize() {
  if (!sync_) return;
  for (size_t i = 0; i < parameters_.size(); ++i) {
    if (ready_[i]) continue;
    // No gradient this step (the parameter was not used): contribute what .grad holds, or zeros.
    Bucket& bucket = *buckets_[bucket_of_[i]];
    at::Tensor slice = bucket.buffer.narrow(0, offset_of_[i], parameters_[i].numel());
    const at::Tensor& accumulated = parameters_[i].grad();
    if (accumulated.defined()) slice.copy_(accumulated.reshape({-1}));
    else slice.zero_();
    ready_[i] = true;
    bucket.pending -= 1;
  }
  launch_in_order();
  const double world = static_cast<double>(communicator_.size());
  for (size_t b = 0; b < buckets_.size(); ++b) {
    Bucket& bucket = *buckets_[b];
    const double wait_start = timeline_ ? timeline_->now_us() : 0;
    bucket.work->wait();
    bucket.work.reset();
    if (timeline_) {
      timeline_->add(fmt::format("allreduce bucket {}", b), "comm", bucket.launched_us, timeline_->now_us());
      timeline_->add(fmt::format("wait bucket {}", b), "wait", wait_start, timeline_->now_us());
    }
    bucket.buffer.div_(world);
    for (size_t p : bucket.members) {
      at::Tensor& parameter = parameters_[p];
      const at::Tensor averaged = bucket.buffer.narrow(0, offset_of_[p], parameter.numel()).view_as(parameter);
      if (parameter.grad().defined()) parameter.mutable_grad().copy_(averaged);
      else parameter.mutable_grad() = averaged.clone();
    }
    bucket.pending = bucket.members.size();
  }
  ready_.assign(parameters_.size(), false);
  next_launch_ = 0;
}

}  // namespace varstyle
