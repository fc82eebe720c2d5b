// Per-loader augmentation options for training.
#include "train/training_augment.h"

namespace varstyle {

AugmentOptions training_augment(const DataConfig& data, TrainingImages images) {
  AugmentOptions options{data.size, data.random_crop, data.hflip};
  if (images == TrainingImages::kStyle) {
    options.grey = data.style_grey;
    options.soft = data.style_soft;
    options.soft_floor = data.style_soft_floor;
    options.hue = data.style_hue;
  }
  return options;
}

}  // namespace varstyle
