// Keras HDF5 (layer_names / weight_names attributes, Keras 1 and 2 weight names) and torch zip
// (torch::pickle_load of a plain dict) weight readers.
#include "nets/weight_files.h"

#include <torch/serialize.h>

#include <cstring>
#include <fstream>

#include <fmt/format.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/h5.h"

namespace varstyle {
namespace fs = std::filesystem;

namespace {

// String-array attributes are written by h5py as fixed-length byte strings (or, by some
// versions, variable-length); both are read here.
std::vector<std::string> read_string_array_attribute(hid_t object, const std::string& name) {
  h5::Handle attribute(VS_H5_CHECK(H5Aopen(object, name.c_str(), H5P_DEFAULT)), H5Aclose);
  h5::Handle type(VS_H5_CHECK(H5Aget_type(attribute.get())), H5Tclose);
  h5::Handle space(VS_H5_CHECK(H5Aget_space(attribute.get())), H5Sclose);
  const hssize_t count = VS_H5_CHECK(H5Sget_simple_extent_npoints(space.get()));
  std::vector<std::string> values;
  if (VS_H5_CHECK(H5Tis_variable_str(type.get())) > 0) {
    h5::Handle memory(VS_H5_CHECK(H5Tcopy(H5T_C_S1)), H5Tclose);
    VS_H5_CHECK(H5Tset_size(memory.get(), H5T_VARIABLE));
    std::vector<char*> pointers(static_cast<size_t>(count), nullptr);
    VS_H5_CHECK(H5Aread(attribute.get(), memory.get(), pointers.data()));
    for (char* pointer : pointers) {
      values.emplace_back(pointer ? pointer : "");
      H5free_memory(pointer);
    }
    return values;
  }
  const size_t width = H5Tget_size(type.get());
  std::vector<char> buffer(width * static_cast<size_t>(count) + 1, '\0');
  VS_H5_CHECK(H5Aread(attribute.get(), type.get(), buffer.data()));
  for (hssize_t i = 0; i < count; ++i) {
    const char* start = buffer.data() + static_cast<size_t>(i) * width;
    values.emplace_back(start, strnlen(start, width));
  }
  return values;
}

// Keras splits long attributes into name0, name1, ...
std::vector<std::string> read_split_attribute(hid_t object, const std::string& name) {
  if (h5::has_attribute(object, name)) return read_string_array_attribute(object, name);
  std::vector<std::string> values;
  for (int chunk = 0; h5::has_attribute(object, name + std::to_string(chunk)); ++chunk) {
    auto part = read_string_array_attribute(object, name + std::to_string(chunk));
    values.insert(values.end(), part.begin(), part.end());
  }
  if (values.empty()) throw Error(fmt::format("attribute '{}' is missing", name));
  return values;
}

at::Tensor read_float_dataset(hid_t group, const std::string& layer, const std::string& name) {
  try {
    h5::Handle dataset = h5::open_dataset(group, name);
    h5::check_numeric_dataset(dataset.get(), sizeof(float));  // before allocating what the file claims
    const auto dims = h5::dataset_dims(dataset.get());
    std::vector<int64_t> sizes(dims.begin(), dims.end());
    at::Tensor tensor = at::empty(sizes, at::kFloat);
    if (tensor.numel() > 0)
      VS_H5_CHECK(H5Dread(dataset.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, tensor.data_ptr<float>()));
    return tensor;
  } catch (const Error& e) {
    throw Error(fmt::format("weight '{}/{}': {}", layer, name, e.what()));
  }
}

// "block1_conv1/kernel:0" (Keras 2) and "block1_conv1_W_1:0" (Keras 1) -> "block1_conv1/kernel";
// "..._b_1:0" -> "block1_conv1/bias".
std::string canonical_keras_name(const std::string& layer, const std::string& weight) {
  std::string base = weight.substr(0, weight.find(':'));
  const auto slash = base.rfind('/');
  std::string leaf = slash == std::string::npos ? base : base.substr(slash + 1);
  if (leaf == "kernel" || leaf.find("_W") != std::string::npos) return layer + "/kernel";
  if (leaf == "bias" || leaf.find("_b") != std::string::npos) return layer + "/bias";
  return layer + "/" + leaf;
}

WeightFile read_keras(const fs::path& path) {
  WeightFile file{WeightFormat::kKerasHdf5, {}};
  h5::Handle handle = h5::open_file_read(path);
  hid_t root = handle.get();
  // Files saved by model.save() keep the weights under /model_weights.
  h5::Handle weights_group;
  if (!h5::has_attribute(root, "layer_names") && h5::has_object(root, "model_weights")) {
    weights_group = h5::Handle(VS_H5_CHECK(H5Gopen2(root, "model_weights", H5P_DEFAULT)), H5Gclose);
    root = weights_group.get();
  }
  for (const auto& layer : read_split_attribute(root, "layer_names")) {
    h5::Handle group(VS_H5_CHECK(H5Gopen2(root, layer.c_str(), H5P_DEFAULT)), H5Gclose);
    // Layers without weights (pooling) list no names, or an empty one.
    for (const auto& weight : read_split_attribute(group.get(), "weight_names"))
      if (!weight.empty()) file.tensors[canonical_keras_name(layer, weight)] = read_float_dataset(group.get(), layer, weight);
  }
  return file;
}

WeightFile read_torch_zip(const fs::path& path) {
  const std::string bytes = read_file(path);
  c10::IValue value;
  try {
    value = torch::pickle_load(std::vector<char>(bytes.begin(), bytes.end()));
  } catch (const std::exception& e) {
    throw Error(fmt::format("cannot unpickle ({}); the file must be a zip-format torch.save of a "
                            "plain dict of tensors: re-save it once in Python with "
                            "torch.save(dict(torch.load(f)), g)", std::string(e.what()).substr(0, 200)));
  }
  if (!value.isGenericDict())
    throw Error("the file holds no dict of tensors; re-save it with torch.save(dict(state_dict), f)");
  WeightFile file{WeightFormat::kTorchZip, {}};
  for (const auto& item : value.toGenericDict()) {
    if (!item.key().isString() || !item.value().isTensor()) continue;
    file.tensors[item.key().toStringRef()] = item.value().toTensor().to(at::kFloat).contiguous();
  }
  return file;
}

}  // namespace

WeightFile read_weight_file(const fs::path& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) throw Error(fmt::format("{}: weight file not found", path.string()));
  std::string signature(8, '\0');
  {
    std::ifstream in(path, std::ios::binary);
    in.read(signature.data(), 8);
  }
  try {
    if (signature.compare(0, 8, "\x89HDF\r\n\x1a\n", 8) == 0) return read_keras(path);
    if (signature.compare(0, 4, "PK\x03\x04", 4) == 0) return read_torch_zip(path);
  } catch (const Error& e) {
    throw Error(fmt::format("{}: {}", path.string(), e.what()));
  }
  throw Error(fmt::format("{}: not a Keras HDF5 weight file nor a zip-format torch.save file (a "
                          "legacy torch.save file must be re-saved: torch.save(dict(torch.load(f)), g))",
                          path.string()));
}

}  // namespace varstyle
