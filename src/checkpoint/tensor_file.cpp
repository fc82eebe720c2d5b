// HDF5 tensor files for checkpoints.
#include "checkpoint/tensor_file.h"

#include <fmt/format.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/h5.h"

namespace varstyle {
namespace fs = std::filesystem;

namespace {

hid_t file_type(at::ScalarType type) {
  switch (type) {
    case at::kFloat: return H5T_IEEE_F32LE;
    case at::kDouble: return H5T_IEEE_F64LE;
    case at::kLong: return H5T_STD_I64LE;
    case at::kInt: return H5T_STD_I32LE;
    case at::kByte: return H5T_STD_U8LE;
    default: throw Error(fmt::format("cannot store dtype {} in a tensor file", c10::toString(type)));
  }
}

hid_t memory_type(at::ScalarType type) {
  switch (type) {
    case at::kFloat: return H5T_NATIVE_FLOAT;
    case at::kDouble: return H5T_NATIVE_DOUBLE;
    case at::kLong: return H5T_NATIVE_INT64;
    case at::kInt: return H5T_NATIVE_INT32;
    default: return H5T_NATIVE_UINT8;
  }
}

at::ScalarType scalar_type_of(hid_t type) {
  const H5T_class_t type_class = H5Tget_class(type);
  const size_t size = H5Tget_size(type);
  if (type_class == H5T_FLOAT) return size == 8 ? at::kDouble : at::kFloat;
  if (type_class == H5T_INTEGER) {
    if (size == 8) return at::kLong;
    if (size == 4) return at::kInt;
    return at::kByte;
  }
  throw Error("holds no numbers");  // unreachable after h5::check_numeric_dataset
}

herr_t collect_name(hid_t, const char* name, const H5L_info_t*, void* out) {
  static_cast<std::vector<std::string>*>(out)->push_back(name);
  return 0;
}

}  // namespace

void write_tensor_file(const fs::path& path, const NamedTensors& tensors) {
  const fs::path temporary = temporary_sibling(path);
  try {
    h5::Handle file = h5::create_file(temporary);
    for (const auto& [name, tensor] : tensors) {
      const at::Tensor data = tensor.detach().to(at::kCPU).contiguous();
      std::vector<hsize_t> dims(data.sizes().begin(), data.sizes().end());
      h5::Handle space(VS_H5_CHECK(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr)), H5Sclose);
      h5::Handle dcpl = h5::deterministic_dataset_properties();
      h5::Handle dataset(VS_H5_CHECK(H5Dcreate2(file.get(), name.c_str(), file_type(data.scalar_type()), space.get(),
                                                H5P_DEFAULT, dcpl.get(), H5P_DEFAULT)),
                         H5Dclose);
      if (data.numel() > 0)
        VS_H5_CHECK(H5Dwrite(dataset.get(), memory_type(data.scalar_type()), H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data_ptr()));
      dataset.close();
    }
    file.close();
    commit_file(temporary, path);
  } catch (const Error& e) {
    std::error_code ec;
    fs::remove(temporary, ec);
    throw Error(fmt::format("{}: cannot write: {}", path.string(), e.what()));
  }
}

std::map<std::string, at::Tensor> read_tensor_file(const fs::path& path) {
  std::map<std::string, at::Tensor> tensors;
  try {
    h5::Handle file = h5::open_file_read(path);
    std::vector<std::string> names;
    VS_H5_CHECK(H5Literate(file.get(), H5_INDEX_NAME, H5_ITER_NATIVE, nullptr, collect_name, &names));
    for (const auto& name : names) {
      try {
        h5::Handle dataset = h5::open_dataset(file.get(), name);
        h5::Handle type(VS_H5_CHECK(H5Dget_type(dataset.get())), H5Tclose);
        h5::check_numeric_dataset(dataset.get(), H5Tget_size(type.get()));
        const at::ScalarType scalar_type = scalar_type_of(type.get());
        const auto dims = h5::dataset_dims(dataset.get());
        at::Tensor tensor = at::empty(std::vector<int64_t>(dims.begin(), dims.end()), scalar_type);
        if (tensor.numel() > 0)
          VS_H5_CHECK(H5Dread(dataset.get(), memory_type(scalar_type), H5S_ALL, H5S_ALL, H5P_DEFAULT, tensor.data_ptr()));
        tensors[name] = tensor;
      } catch (const Error& e) {
        throw Error(fmt::format("{}: tensor '{}': {}", path.string(), name, e.what()));
      } catch (const c10::Error& e) {  // allocation, within the bound but beyond this machine
        throw Error(fmt::format("{}: tensor '{}': {}", path.string(), name, e.what_without_backtrace()));
      } catch (const std::bad_alloc&) {
        throw Error(fmt::format("{}: tensor '{}': out of memory", path.string(), name));
      }
    }
  } catch (const Error& e) {
    const std::string what = e.what();
    throw Error(what.rfind(path.string(), 0) == 0 ? what : fmt::format("{}: {}", path.string(), what));
  }
  return tensors;
}

}  // namespace varstyle
