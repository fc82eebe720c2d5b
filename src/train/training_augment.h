// The augmentation each training loader applies, from the config's data section.
#pragma once

#include "core/config.h"
#include "data/augment.h"

namespace varstyle {

enum class TrainingImages { kContent, kStyle };

// Contents and styles get the same crops and flips. Only styles get data.style_grey's grey
// images, data.style_soft's lowered contrasts and data.style_hue's turned colours: they widen
// the palettes and contrasts the style code learns from, while a grey, faded or recoloured
// content would only teach the decoder to drop what the style replaces anyway.
AugmentOptions training_augment(const DataConfig& data, TrainingImages images);

}  // namespace varstyle
