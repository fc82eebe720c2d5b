// RAII and typed helpers over the HDF5 C API.
#include "core/h5.h"

#include <fmt/format.h>

#include "core/error.h"

namespace varstyle::h5 {
namespace fs = std::filesystem;

void silence_error_printing() {
  thread_local bool silenced = false;
  if (!silenced) {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    silenced = true;
  }
}

Handle& Handle::operator=(Handle&& other) noexcept {
  if (this != &other) {
    reset();
    id_ = other.id_;
    closer_ = other.closer_;
    other.id_ = -1;
  }
  return *this;
}

void Handle::reset() {
  if (id_ >= 0 && closer_) closer_(id_);
  id_ = -1;
}

void Handle::close() {
  if (id_ < 0) return;
  hid_t id = id_;
  id_ = -1;
  VS_H5_CHECK(closer_(id));
}

Handle create_file(const fs::path& path) {
  silence_error_printing();
  Handle fcpl(VS_H5_CHECK(H5Pcreate(H5P_FILE_CREATE)), H5Pclose);
  VS_H5_CHECK(H5Pset_obj_track_times(fcpl.get(), false));
  hid_t id = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl.get(), H5P_DEFAULT);
  if (id < 0) throw Error(fmt::format("{}: cannot create HDF5 file: {}", path.string(), hdf5_error_message()));
  return Handle(id, H5Fclose);
}

Handle open_file_read(const fs::path& path) {
  silence_error_printing();
  std::error_code ec;
  if (!fs::exists(path, ec)) throw Error(fmt::format("{}: file not found", path.string()));
  hid_t id = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (id < 0)
    throw Error(fmt::format("{}: cannot open as HDF5 (truncated or corrupt?): {}", path.string(),
                            hdf5_error_message()));
  return Handle(id, H5Fclose);
}

bool has_object(hid_t location, const std::string& name) {
  return VS_H5_CHECK(H5Lexists(location, name.c_str(), H5P_DEFAULT)) > 0;
}

Handle open_dataset(hid_t location, const std::string& name) {
  if (!has_object(location, name)) throw Error(fmt::format("dataset '{}' is missing", name));
  return Handle(VS_H5_CHECK(H5Dopen2(location, name.c_str(), H5P_DEFAULT)), H5Dclose);
}

std::vector<hsize_t> dataset_dims(hid_t dataset) {
  Handle space(VS_H5_CHECK(H5Dget_space(dataset)), H5Sclose);
  int rank = VS_H5_CHECK(H5Sget_simple_extent_ndims(space.get()));
  std::vector<hsize_t> dims(static_cast<size_t>(rank));
  VS_H5_CHECK(H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr));
  return dims;
}

namespace {

std::string class_name(H5T_class_t type_class) {
  switch (type_class) {
    case H5T_STRING: return "strings";
    case H5T_COMPOUND: return "compound records";
    case H5T_ENUM: return "enumeration values";
    case H5T_VLEN: return "variable-length sequences";
    case H5T_ARRAY: return "arrays";
    case H5T_REFERENCE: return "references";
    case H5T_BITFIELD: return "bit fields";
    case H5T_OPAQUE: return "opaque bytes";
    case H5T_TIME: return "times";
    default: return "values of an unknown HDF5 type";
  }
}

}  // namespace

void check_numeric_dataset(hid_t dataset, size_t element_bytes) {
  Handle type(VS_H5_CHECK(H5Dget_type(dataset)), H5Tclose);
  const H5T_class_t type_class = H5Tget_class(type.get());
  if (type_class != H5T_FLOAT && type_class != H5T_INTEGER)
    throw Error(fmt::format("holds {}, not numbers", class_name(type_class)));
  const auto dims = dataset_dims(dataset);
  uint64_t bytes = element_bytes;
  for (hsize_t dim : dims) {
    if (dim != 0 && bytes > kMaxDatasetBytes / dim)
      throw Error(fmt::format("has shape [{}], more than {} GiB; refused before reading", fmt::join(dims, ", "),
                              kMaxDatasetBytes >> 30));
    bytes *= dim;
  }
}

Handle deterministic_dataset_properties() {
  Handle dcpl(VS_H5_CHECK(H5Pcreate(H5P_DATASET_CREATE)), H5Pclose);
  VS_H5_CHECK(H5Pset_obj_track_times(dcpl.get(), false));
  return dcpl;
}

namespace {

Handle string_type() {
  Handle type(VS_H5_CHECK(H5Tcopy(H5T_C_S1)), H5Tclose);
  VS_H5_CHECK(H5Tset_size(type.get(), H5T_VARIABLE));
  VS_H5_CHECK(H5Tset_cset(type.get(), H5T_CSET_UTF8));
  return type;
}

Handle scalar_space() { return Handle(VS_H5_CHECK(H5Screate(H5S_SCALAR)), H5Sclose); }

Handle vector_space(size_t count) {
  hsize_t dims[1] = {count};
  return Handle(VS_H5_CHECK(H5Screate_simple(1, dims, nullptr)), H5Sclose);
}

template <typename T>
void write_numbers(hid_t location, const std::string& name, const std::vector<T>& values,
                   hid_t file_type, hid_t memory_type) {
  Handle space = vector_space(values.size());
  Handle dcpl = deterministic_dataset_properties();
  Handle dataset(VS_H5_CHECK(H5Dcreate2(location, name.c_str(), file_type, space.get(),
                                        H5P_DEFAULT, dcpl.get(), H5P_DEFAULT)),
                 H5Dclose);
  if (!values.empty())
    VS_H5_CHECK(H5Dwrite(dataset.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()));
}

// The length of a 1-D dataset, refused before anything is allocated for it when above `max_entries`.
hsize_t vector_length(hid_t dataset, const std::string& name, hsize_t max_entries) {
  const auto dims = dataset_dims(dataset);
  if (dims.size() != 1) throw Error(fmt::format("dataset '{}' is not one-dimensional", name));
  if (dims[0] > max_entries)
    throw Error(fmt::format("dataset '{}' has {} entries, more than the {} expected", name, dims[0], max_entries));
  return dims[0];
}

template <typename T>
std::vector<T> read_numbers(hid_t location, const std::string& name, hid_t memory_type, hsize_t max_entries) {
  Handle dataset = open_dataset(location, name);
  std::vector<T> values(vector_length(dataset.get(), name, max_entries));
  if (!values.empty())
    VS_H5_CHECK(H5Dread(dataset.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()));
  return values;
}

}  // namespace

void write_attribute(hid_t object, const std::string& name, int64_t value) {
  Handle space = scalar_space();
  Handle attribute(VS_H5_CHECK(H5Acreate2(object, name.c_str(), H5T_STD_I64LE, space.get(),
                                          H5P_DEFAULT, H5P_DEFAULT)),
                   H5Aclose);
  VS_H5_CHECK(H5Awrite(attribute.get(), H5T_NATIVE_INT64, &value));
}

void write_attribute(hid_t object, const std::string& name, const std::string& value) {
  Handle type = string_type();
  Handle space = scalar_space();
  Handle attribute(VS_H5_CHECK(H5Acreate2(object, name.c_str(), type.get(), space.get(),
                                          H5P_DEFAULT, H5P_DEFAULT)),
                   H5Aclose);
  const char* pointer = value.c_str();
  VS_H5_CHECK(H5Awrite(attribute.get(), type.get(), &pointer));
}

bool has_attribute(hid_t object, const std::string& name) {
  return VS_H5_CHECK(H5Aexists(object, name.c_str())) > 0;
}

int64_t read_int_attribute(hid_t object, const std::string& name) {
  if (!has_attribute(object, name)) throw Error(fmt::format("attribute '{}' is missing", name));
  Handle attribute(VS_H5_CHECK(H5Aopen(object, name.c_str(), H5P_DEFAULT)), H5Aclose);
  int64_t value = 0;
  VS_H5_CHECK(H5Aread(attribute.get(), H5T_NATIVE_INT64, &value));
  return value;
}

std::string read_string_attribute(hid_t object, const std::string& name) {
  if (!has_attribute(object, name)) throw Error(fmt::format("attribute '{}' is missing", name));
  Handle attribute(VS_H5_CHECK(H5Aopen(object, name.c_str(), H5P_DEFAULT)), H5Aclose);
  Handle type = string_type();
  char* pointer = nullptr;
  VS_H5_CHECK(H5Aread(attribute.get(), type.get(), &pointer));
  std::string value = pointer ? pointer : "";
  H5free_memory(pointer);
  return value;
}

void write_strings(hid_t location, const std::string& name, const std::vector<std::string>& values) {
  Handle type = string_type();
  Handle space = vector_space(values.size());
  Handle dcpl = deterministic_dataset_properties();
  Handle dataset(VS_H5_CHECK(H5Dcreate2(location, name.c_str(), type.get(), space.get(),
                                        H5P_DEFAULT, dcpl.get(), H5P_DEFAULT)),
                 H5Dclose);
  std::vector<const char*> pointers;
  pointers.reserve(values.size());
  for (const auto& value : values) pointers.push_back(value.c_str());
  if (!pointers.empty())
    VS_H5_CHECK(H5Dwrite(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()));
}

std::vector<std::string> read_strings(hid_t location, const std::string& name, hsize_t max_entries) {
  Handle dataset = open_dataset(location, name);
  const hsize_t length = vector_length(dataset.get(), name, max_entries);
  Handle type = string_type();
  std::vector<char*> pointers(length, nullptr);
  if (!pointers.empty())
    VS_H5_CHECK(H5Dread(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()));
  std::vector<std::string> values;
  values.reserve(pointers.size());
  for (char* pointer : pointers) {
    values.emplace_back(pointer ? pointer : "");
    H5free_memory(pointer);
  }
  return values;
}

void write_uint64s(hid_t location, const std::string& name, const std::vector<uint64_t>& values) {
  write_numbers(location, name, values, H5T_STD_U64LE, H5T_NATIVE_UINT64);
}
std::vector<uint64_t> read_uint64s(hid_t location, const std::string& name, hsize_t max_entries) {
  return read_numbers<uint64_t>(location, name, H5T_NATIVE_UINT64, max_entries);
}
void write_int32s(hid_t location, const std::string& name, const std::vector<int32_t>& values) {
  write_numbers(location, name, values, H5T_STD_I32LE, H5T_NATIVE_INT32);
}
std::vector<int32_t> read_int32s(hid_t location, const std::string& name, hsize_t max_entries) {
  return read_numbers<int32_t>(location, name, H5T_NATIVE_INT32, max_entries);
}

}  // namespace varstyle::h5
