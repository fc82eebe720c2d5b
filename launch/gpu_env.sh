#!/usr/bin/env bash
# Sourced by launch/gpu_check.sh, or by hand on a GPU node (`source launch/gpu_env.sh`): checks
# the node's PyTorch, unpacks the library bundle from launch/gpu_bundle.sh, exports the paths that
# let its libraries and Open MPI run from there, and builds varstyle and varstyle-prep into
# build/gpu against the node's LibTorch (unless skip_build=1). Leaves $bin (build/gpu/bin) set.
# Reads, when set: bundle (default build/gpu-bundle), skip_build (0), python (python3), root.
root=${root:-$(pwd)}
bundle=${bundle:-build/gpu-bundle}
skip_build=${skip_build:-0}
python=${python:-${PYTHON:-python3}}
declare -F say >/dev/null || say() { printf '\n== %s  [%s, %d s in]\n' "$*" "$(date +%T)" "$SECONDS"; }

# --- What the node offers --------------------------------------------------------------------
say "node"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
"$python" - <<'PY' || { echo "gpu_env: $python has no CUDA PyTorch" >&2; return 2 2>/dev/null || exit 2; }
import torch, sys
print(f"PyTorch {torch.__version__}, CUDA {torch.version.cuda}, {torch.cuda.device_count()} GPU(s), "
      f"cxx11 ABI {torch._C._GLIBCXX_USE_CXX11_ABI}")
# Debian's libraries use the C++11 ABI; a LibTorch without it cannot link with them.
sys.exit(0 if torch.cuda.is_available() and torch._C._GLIBCXX_USE_CXX11_ABI else 1)
PY
if [ ! -d "$bundle/usr" ] && [ -f "$bundle.tar.xz" ]; then
  tar -C "$(dirname "$bundle")" -xJf "$bundle.tar.xz"
fi
[ -d "$bundle/usr" ] || { echo "gpu_env: no bundle at $bundle: run launch/gpu_bundle.sh on a Debian 12 machine and bring $bundle along" >&2; return 2 2>/dev/null || exit 2; }
prefix=$(cd "$bundle" && pwd)/usr
torch_cmake=$("$python" -c 'import torch; print(torch.utils.cmake_prefix_path)')
torch_lib=$("$python" -c 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')
# NCCL and cuDNN from the wheels PyTorch depends on; their folder layout differs between CUDA
# majors (nvidia/nccl, nvidia/cu13, ...), so the header is looked for under the nvidia package.
wheel_root() {  # wheel_root HEADER: the folder whose include/ holds HEADER, under site-packages/nvidia
  "$python" - "$1" <<'PY' 2>/dev/null || true
import glob, os, sys
import nvidia
for base in nvidia.__path__:
    for header in sorted(glob.glob(os.path.join(base, "**", "include", sys.argv[1]), recursive=True)):
        print(os.path.dirname(os.path.dirname(header)))
        raise SystemExit
PY
}
nccl_root=$(wheel_root nccl.h)
cudnn_root=$(wheel_root cudnn.h)
echo "bundle $bundle ($(head -1 "$bundle/BUNDLE.txt" 2>/dev/null)), node glibc $(ldd --version | head -1 | awk '{print $NF}')"
echo "LibTorch $torch_cmake; NCCL ${nccl_root:-not in the wheels: the CUDA toolkit copy, if any}; cuDNN ${cudnn_root:-not in the wheels}"
# LibTorch's CMake package asks for cuDNN when PyTorch was built with it; the wheel's library has
# only a versioned name, which find_library does not match, so its paths are given directly.
cudnn_args=()
if [ -n "$cudnn_root" ]; then
  cudnn_library=$(ls "$cudnn_root"/lib/libcudnn.so* 2>/dev/null | head -1)
  cudnn_args=(-DCUDNN_INCLUDE_PATH="$cudnn_root/include" ${cudnn_library:+-DCUDNN_LIBRARY_PATH="$cudnn_library"})
fi

arch=x86_64-linux-gnu
export LD_LIBRARY_PATH="$prefix/lib/$arch:$prefix/lib:$prefix/lib/$arch/openmpi/lib:$prefix/lib/$arch/hdf5/serial:$torch_lib${nccl_root:+:$nccl_root/lib}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export PATH="$prefix/bin:$PATH"
# Open MPI found where the bundle put it; a single rank runs as a singleton without mpirun.
export OPAL_PREFIX="$prefix" OMPI_MCA_ess_singleton_isolated=1 HDF5_USE_FILE_LOCKING=FALSE
# Nodes and containers that run jobs as root: Open MPI refuses root unless told twice.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

# --- Build ------------------------------------------------------------------------------------
if (( ! skip_build )); then
  say "build (build/gpu)"
  export TORCH_CUDA_ARCH_LIST="${TORCH_CUDA_ARCH_LIST:-9.0}"
  # Keep going past a failing file, so one build shows every file that does not compile. File by
  # file (VARSTYLE_UNITY=OFF): a node's 16 cores gain little from unity groups, and the CUDA-only
  # code has not yet been compiled in them, which a GPU session's few minutes should not find out.
  VARSTYLE_BUILD_KEEP_GOING=1 VARSTYLE_BUILD_DIR=build/gpu VARSTYLE_TARGETS="varstyle varstyle-prep" bash launch/build.sh \
    -DCMAKE_PREFIX_PATH="$torch_cmake;$prefix;$prefix/lib/$arch/cmake" \
    -DVARSTYLE_WITH_NCCL=ON -DVARSTYLE_BUILD_TESTS=OFF -DVARSTYLE_UNITY=OFF ${nccl_root:+-DNCCL_ROOT="$nccl_root"} \
    "${cudnn_args[@]}" -DMPI_SKIP_COMPILER_WRAPPER=ON -DMPI_CXX_SKIP_MPICXX=ON \
    -DMPI_CXX_ADDITIONAL_INCLUDE_DIRS="$prefix/lib/$arch/openmpi/include" \
    -DMPI_CXX_LIB_NAMES=mpi -DMPI_mpi_LIBRARY="$prefix/lib/$arch/openmpi/lib/libmpi.so" \
    -DHDF5_C_COMPILER_EXECUTABLE=/nonexistent -DHDF5_C_INCLUDE_DIR="$prefix/include/hdf5/serial" \
    -DHDF5_C_LIBRARIES="$prefix/lib/$arch/hdf5/serial/libhdf5.so" -DOpenCV_DIR="$prefix/../opencv-cmake"
fi
bin="$root/build/gpu/bin"
"$bin/varstyle" info
