// GradientReducer: bucket ranges, post-accumulation hooks, in-order launches, finalize.
#include "dist/gradient_reducer.h"

#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/utils/lambda_post_hook.h>
#include <torch/csrc/autograd/variable.h>

#include <fmt/format.h>

#include "dist/bucket_plan.h"

namespace varstyle {

struct GradientReducer::Bucket {
  std::vector<size_t> members;
  at::Tensor view;  // the members' range of the flat gradient buffer
  size_t pending = 0;
  std::unique_ptr<Work> work;
  double launched_us = 0;
};

GradientReducer::GradientReducer(FlatParameters& flat, Communicator& communicator, double bucket_mb,
                                 double first_bucket_mb, Timeline* timeline)
    : flat_(flat), communicator_(communicator), timeline_(timeline) {
  const auto& parameters = flat_.parameters();
  bucket_of_.resize(parameters.size());
  ready_.assign(parameters.size(), false);
  for (auto& range : plan_buckets(flat_, bucket_mb, first_bucket_mb)) {
    auto bucket = std::make_unique<Bucket>();
    for (size_t i : range.members) bucket_of_[i] = buckets_.size();
    bucket->members = std::move(range.members);
    bucket->view = flat_.grads().narrow(0, range.begin, range.end - range.begin);
    buckets_.push_back(std::move(bucket));
  }
  for (auto& bucket : buckets_) bucket->pending = bucket->members.size();
  for (size_t i = 0; i < parameters.size(); ++i) {
    auto accumulator = torch::autograd::impl::grad_accumulator(parameters[i]);
    TORCH_CHECK(accumulator, "GradientReducer: parameter ", i, " is not a leaf that requires grad");
    hooks_.push_back(accumulator->add_post_hook(std::make_unique<torch::autograd::utils::LambdaPostHook>(
        [this, i](const torch::autograd::variable_list& outputs, const torch::autograd::variable_list&) {
          mark_ready(i);
          return outputs;
        })));
    accumulators_.push_back(std::move(accumulator));
  }
}

GradientReducer::~GradientReducer() {
  for (size_t i = 0; i < hooks_.size(); ++i) accumulators_[i]->del_post_hook(hooks_[i]);
}

std::vector<std::vector<size_t>> GradientReducer::bucket_members() const {
  std::vector<std::vector<size_t>> result;
  for (const auto& bucket : buckets_) result.push_back(bucket->members);
  return result;
}

void GradientReducer::mark_ready(size_t parameter) {
  // The view already holds this backward's gradient plus earlier micro-steps'.
  if (!sync_ || ready_[parameter]) return;
  ready_[parameter] = true;
  buckets_[bucket_of_[parameter]]->pending -= 1;
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
    bucket.work = communicator_.all_reduce_async(bucket.view, ReduceOp::kSum);
    ++next_launch_;
  }
}

void GradientReducer::finalize() {
  if (!sync_) return;
  for (size_t i = 0; i < ready_.size(); ++i) {
    if (ready_[i]) continue;
    // No gradient this step (the parameter was not used): its view holds zeros or earlier micro-steps.
    ready_[i] = true;
    buckets_[bucket_of_[i]]->pending -= 1;
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
    bucket.view.div_(world);
    bucket.pending = bucket.members.size();
  }
  ready_.assign(ready_.size(), false);
  next_launch_ = 0;
}

}  // namespace varstyle
