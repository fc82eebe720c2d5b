// varstyle info: the library versions this build links, the devices this node offers and whether
// its CPU runs bf16 natively.
#include <hdf5.h>
#include <mpi.h>
#include <torch/version.h>
#include <yaml-cpp/yaml.h>

#include <fmt/format.h>

#include "apps/commands.h"
#include "dist/device_info.h"
#include "nets/autocast_scope.h"

namespace varstyle {

Command add_info_command(CLI::App& parent) {
  Command command;
  command.app = parent.add_subcommand("info", "print library versions and available devices");
  command.run = [] {
    unsigned major = 0, minor = 0, release = 0;
    H5get_libversion(&major, &minor, &release);
    char mpi_version[MPI_MAX_LIBRARY_VERSION_STRING] = {0};
    int length = 0;
    MPI_Get_library_version(mpi_version, &length);
    std::string mpi_line(mpi_version, static_cast<size_t>(length));
    mpi_line = mpi_line.substr(0, mpi_line.find_first_of(",\n"));
    fmt::print("varstyle {}\n", VARSTYLE_VERSION);
    fmt::print("LibTorch   {}\n", TORCH_VERSION);
    fmt::print("HDF5       {}.{}.{}\n", major, minor, release);
    fmt::print("MPI        {}\n", mpi_line);
    fmt::print("devices    {}\n", describe_accelerators());
    fmt::print("CPU bf16   {}\n", cpu_has_native_bf16() ? "native (avx512_bf16 or amx_bf16): train.bf16 / --bf16 pay here"
                                                          : "emulated: train.bf16 / --bf16 are slower than fp32 here");
    return 0;
  };
  return command;
}

}  // namespace varstyle
