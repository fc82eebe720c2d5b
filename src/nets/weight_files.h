// Reading pretrained weights from the files users have, without Python: Keras HDF5 weight files
// (e.g. vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5) and zip-format torch.save files of a
// plain dict of tensors (e.g. torchvision's vgg19 state dict re-saved once with
// `torch.save(dict(torch.load(f)), g)`).
#pragma once

#include <ATen/ATen.h>

#include <filesystem>
#include <map>
#include <string>

namespace varstyle {

enum class WeightFormat { kKerasHdf5, kTorchZip };

struct WeightFile {
  WeightFormat format;
  // Keras: "block1_conv1/kernel" -> tensor as stored (HWIO for convolutions); torch: the dict's
  // keys ("features.0.weight") -> tensors.
  std::map<std::string, at::Tensor> tensors;
};

// Detects the format from the file signature; throws Error naming the file on anything else.
WeightFile read_weight_file(const std::filesystem::path& path);

}  // namespace varstyle
