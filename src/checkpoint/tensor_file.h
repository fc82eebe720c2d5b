// Named tensors in HDF5 (one dataset per tensor, readable from Python with h5py), written
// atomically: the file appears under its name only when complete and synced.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "dist/consistency.h"

namespace varstyle {

void write_tensor_file(const std::filesystem::path& path, const NamedTensors& tensors);
// Throws Error naming the file when it is missing, truncated or corrupt, and the tensor when it
// is not numeric or claims more than 4 GiB (checked before allocating).
std::map<std::string, at::Tensor> read_tensor_file(const std::filesystem::path& path);

}  // namespace varstyle
