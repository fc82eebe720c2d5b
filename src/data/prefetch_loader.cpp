// PrefetchLoader: bounded producer/consumer queue over sampler-ordered batches.
#include "data/prefetch_loader.h"

#include <fmt/format.h>

#include "core/error.h"

namespace varstyle {

PrefetchLoader::PrefetchLoader(std::shared_ptr<ShardedDataset> dataset, ShardedSampler sampler,
                               AugmentOptions options, uint64_t seed, int64_t prefetch, bool pin_memory)
    : dataset_(std::move(dataset)),
      sampler_(std::move(sampler)),
      options_(options),
      seed_(seed),
      capacity_(static_cast<size_t>(std::max<int64_t>(1, prefetch))),
      pin_memory_(pin_memory),
      consumed_state_(sampler_.state()) {
  if (options_.crop > dataset_->image_size())
    throw ConfigError(fmt::format("data.size: crop {} is larger than the {}x{} images in {}",
                                  options_.crop, dataset_->image_size(), dataset_->image_size(),
                                  dataset_->folder().string()));
  thread_ = std::thread([this] { run(); });
}

PrefetchLoader::~PrefetchLoader() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Batch PrefetchLoader::load_batch(ShardedDataset& dataset, const std::vector<SampleKey>& keys,
                                 const AugmentOptions& options, uint64_t seed) {
  const int64_t size = dataset.image_size();
  const int64_t crop = options.crop;
  Batch batch;
  batch.keys = keys;
  batch.images = at::empty({static_cast<int64_t>(keys.size()), 3, crop, crop}, at::kFloat);
  std::vector<uint8_t> rgb(static_cast<size_t>(size * size * 3));
  float* out = batch.images.data_ptr<float>();
  for (size_t i = 0; i < keys.size(); ++i) {
    dataset.read(keys[i].index, rgb.data());
    const CropFlip cf = draw_crop_flip(seed, keys[i], size, options);
    crop_flip_to_chw(rgb.data(), size, cf, crop, out + static_cast<int64_t>(i) * 3 * crop * crop);
  }
  return batch;
}

void PrefetchLoader::run() {
  try {
    while (true) {
      {
        std::unique_lock<std::mutex> lock(mutex_);
        changed_.wait(lock, [this] { return stopping_ || ready_.size() < capacity_; });
        if (stopping_) return;
      }
      std::vector<SampleKey> keys = sampler_.next_batch();
      Batch batch = load_batch(*dataset_, keys, options_, seed_);
      if (pin_memory_) batch.images = batch.images.pin_memory();
      batch.next_state = sampler_.state();
      {
        std::lock_guard<std::mutex> lock(mutex_);
        ready_.push_back(std::move(batch));
      }
      changed_.notify_all();
    }
  } catch (...) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      error_ = std::current_exception();
    }
    changed_.notify_all();
  }
}

Batch PrefetchLoader::next() {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [this] { return !ready_.empty() || error_; });
  if (ready_.empty()) std::rethrow_exception(error_);
  Batch batch = std::move(ready_.front());
  ready_.pop_front();
  consumed_state_ = batch.next_state;
  lock.unlock();
  changed_.notify_all();
  return batch;
}

}  // namespace varstyle
