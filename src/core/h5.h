// RAII handles and small typed helpers over the HDF5 C API (attributes, string and numeric
// datasets). Every call is checked with VS_H5_CHECK; destructors never throw.
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace varstyle::h5 {

// Turns off HDF5's automatic error-stack printing for the calling thread (HDF5 keeps that
// setting per thread); errors are reported through VS_H5_CHECK instead.
void silence_error_printing();

class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle() = default;
  Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  ~Handle() { reset(); }
  Handle(Handle&& other) noexcept : id_(other.id_), closer_(other.closer_) { other.id_ = -1; }
  Handle& operator=(Handle&& other) noexcept;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  void reset();                  // closes quietly (destructor path)
  void close();                  // closes and throws on failure (the write path's commit)

 private:
  hid_t id_ = -1;
  Closer closer_ = nullptr;
};

// Files. Creation turns off object time stamps so that equal inputs give byte-identical files.
Handle create_file(const std::filesystem::path& path);
Handle open_file_read(const std::filesystem::path& path);

bool has_object(hid_t location, const std::string& name);
Handle open_dataset(hid_t location, const std::string& name);
std::vector<hsize_t> dataset_dims(hid_t dataset);
// A dataset creation property list without time stamps (for deterministic bytes).
Handle deterministic_dataset_properties();

void write_attribute(hid_t object, const std::string& name, int64_t value);
void write_attribute(hid_t object, const std::string& name, const std::string& value);
bool has_attribute(hid_t object, const std::string& name);
int64_t read_int_attribute(hid_t object, const std::string& name);
std::string read_string_attribute(hid_t object, const std::string& name);

// The most bytes a numeric dataset may hold to be read whole (a model tensor, a weight): no
// tensor of the networks comes near it, and a sparse dataset can claim any size.
inline constexpr uint64_t kMaxDatasetBytes = uint64_t{4} << 30;
// Throws Error unless `dataset` holds integers or floats, at most kMaxDatasetBytes of them as
// `element_bytes`-byte elements; call it before allocating for the dimensions the file claims.
void check_numeric_dataset(hid_t dataset, size_t element_bytes);

// The most entries a 1-D dataset may have to be read: dimensions come from the file, and a
// sparse dataset can claim any number without the bytes to back it.
inline constexpr hsize_t kMaxVectorEntries = hsize_t{1} << 27;

// 1-D datasets of variable-length UTF-8 strings, and of fixed-width numbers. Reading refuses a
// dataset with more than `max_entries` entries before allocating, naming it.
void write_strings(hid_t location, const std::string& name, const std::vector<std::string>& values);
std::vector<std::string> read_strings(hid_t location, const std::string& name, hsize_t max_entries = kMaxVectorEntries);
void write_uint64s(hid_t location, const std::string& name, const std::vector<uint64_t>& values);
std::vector<uint64_t> read_uint64s(hid_t location, const std::string& name, hsize_t max_entries = kMaxVectorEntries);
void write_int32s(hid_t location, const std::string& name, const std::vector<int32_t>& values);
std::vector<int32_t> read_int32s(hid_t location, const std::string& name, hsize_t max_entries = kMaxVectorEntries);

}  // namespace varstyle::h5
