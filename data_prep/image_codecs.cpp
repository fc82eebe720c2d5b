// Loading the imgcodecs module once per process, from the executable's folder (where the build
// puts it), else from the library search path.
#include "image_codecs.h"

#include <dlfcn.h>

#include <filesystem>

#include <fmt/format.h>

namespace varstyle {
namespace {

struct LoadedModule {
  ImdecodeFunction decode = nullptr;
  std::string error;  // why decode is null
};

LoadedModule load_module() {
  namespace fs = std::filesystem;
  const std::string file = VARSTYLE_IMAGE_CODECS_FILE;
  std::error_code ec;
  const fs::path executable = fs::read_symlink("/proc/self/exe", ec);
  void* handle = nullptr;
  std::string beside = "no executable path";
  if (!ec) {
    handle = dlopen((executable.parent_path() / file).c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) beside = dlerror();
  }
  LoadedModule loaded;
  if (handle == nullptr) handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    // The first message names a missing dependency of a module that is there; the second says
    // whether the library path has one.
    const char* on_path = dlerror();
    loaded.error = fmt::format("PNG/BMP/WebP/TIFF decoding unavailable: {}; {}", beside,
                               on_path ? on_path : "not on the library path");
    return loaded;
  }
  // Never closed: the process keeps the module until it exits.
  loaded.decode = reinterpret_cast<ImdecodeFunction>(dlsym(handle, kImdecodeSymbol));
  if (loaded.decode == nullptr) loaded.error = fmt::format("{} has no symbol {}", file, kImdecodeSymbol);
  return loaded;
}

}  // namespace

ImdecodeResult imdecode_unchanged(const std::string& bytes) {
  static const LoadedModule module = load_module();
  ImdecodeResult result;
  if (module.decode == nullptr) {
    result.unavailable = true;
    result.error = module.error;
    return result;
  }
  module.decode(bytes, &result);
  return result;
}

}  // namespace varstyle
