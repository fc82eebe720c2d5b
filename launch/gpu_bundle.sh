#!/usr/bin/env bash
# Packs, on this Debian 12 machine, what a GPU node without root lacks to build and run varstyle
# (yaml-cpp, HDF5, Open MPI, OpenCV, spdlog, ...) into one folder and OUT.tar.xz for
# launch/gpu_check.sh: the headers and CMake files of the -dev packages, and the shared libraries
# those libraries and Open MPI's plugins load, except what the node brings itself (glibc,
# libstdc++, CUDA; LibTorch and NCCL come from its PyTorch). Files keep their Debian paths under
# the folder (a prefix). Most of the size is OpenCV's image codecs, which load GDAL's tree.
# Usage: launch/gpu_bundle.sh [OUT]   (default build/gpu-bundle)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-build/gpu-bundle}"
arch=/usr/lib/x86_64-linux-gnu
# The libraries varstyle links besides LibTorch, CUDA and NCCL (their SONAMEs: see ldd build/bin/varstyle).
linked=("$arch"/libyaml-cpp.so.0.* "$arch"/hdf5/serial/libhdf5.so.* "$arch"/libopencv_core.so.4* "$arch"/libopencv_imgproc.so.4*
        "$arch"/libopencv_imgcodecs.so.4* "$arch"/libspdlog.so.1* "$arch"/libfmt.so.9* "$arch"/libjpeg.so.62* "$arch"/libxxhash.so.0*
        "$arch"/openmpi/lib/libmpi.so.40* "$arch"/libcpp-httplib.so.0.*)

# Headers, CMake packages and link-time .so names.
dev_packages=(
  libyaml-cpp-dev libhdf5-dev libopenmpi-dev libopencv-core-dev libopencv-imgproc-dev
  libopencv-imgcodecs-dev libjpeg62-turbo-dev libxxhash-dev libcli11-dev nlohmann-json3-dev
  libspdlog-dev libfmt-dev
  libcpp-httplib-dev libssl-dev zlib1g-dev libbrotli-dev  # the explorer's HTTP server; httplib.h includes the other three
)
# Open MPI's launcher, its help texts and the plugins it opens at run time.
runtime_packages=(openmpi-bin openmpi-common libopenmpi3 libpmix2)
# Provided by the node (its system, its PyTorch wheel, its CUDA): never bundled.
node_provides='^(linux-vdso|ld-linux|libc|libm|libdl|librt|libpthread|libresolv|libutil|libstdc\+\+|libgcc_s|libcuda|libcudart|libnccl)[.-]'

rm -rf "$out"
mkdir -p "$out"
files=$(mktemp)
trap 'rm -f "$files"' EXIT

for package in "${dev_packages[@]}" "${runtime_packages[@]}"; do
  dpkg-query -W "$package" >/dev/null 2>&1 || { echo "gpu_bundle: $package is not installed (launch/install_deps.sh)" >&2; exit 2; }
  # Static archives and documentation are not needed to link shared or to run.
  dpkg -L "$package" | grep -vE '\.a$|^/usr/share/(doc|man|lintian)/' >>"$files"
done

# Every shared library those libraries and Open MPI's plugins load, minus the node's own.
libraries() {
  { ldd "$@" 2>/dev/null || true; } | awk '/=> \// {print $1, $3}' | sort -u |
    while read -r name path; do [[ "$name" =~ $node_provides ]] || echo "$path"; done
}
plugins=$(find /usr/lib/x86_64-linux-gnu/openmpi /usr/lib/x86_64-linux-gnu/pmix2 -name '*.so' 2>/dev/null || true)
# shellcheck disable=SC2086
libraries "${linked[@]}" /usr/bin/orterun $plugins >>"$files"
printf '%s\n' "${linked[@]}" >>"$files"

# Debian 12 merges /lib into /usr/lib, and ldd names some libraries by their /lib path: each file
# goes under usr/lib once, where gpu_check.sh's LD_LIBRARY_PATH looks.
merged() { case "$1" in /lib/* | /lib64/*) echo "/usr$1" ;; *) echo "$1" ;; esac; }
sort -u "$files" | while read -r path; do
  [ -f "$path" ] || [ -L "$path" ] || continue
  place=$(merged "$path")
  mkdir -p "$out$(dirname "$place")"
  cp -a "$path" "$out$place"
  # A library named by ldd is often a link: bring the file it points to as well.
  if [ -L "$path" ]; then
    target=$(readlink -f "$path")
    place=$(merged "$target")
    mkdir -p "$out$(dirname "$place")"
    cp -a "$target" "$out$place"
  fi
done

# Debian's OpenCVConfig.cmake (libopencv-dev) names every OpenCV module, and CMake refuses a
# config whose files are missing: a small one for the three modules varstyle links instead.
mkdir -p "$out/opencv-cmake"
cat >"$out/opencv-cmake/OpenCVConfig.cmake" <<'CMAKE'
# Written by launch/gpu_bundle.sh: OpenCV's core, imgproc and imgcodecs from this bundle.
get_filename_component(_bundle_usr "${CMAKE_CURRENT_LIST_DIR}/../usr" ABSOLUTE)
set(OpenCV_FOUND TRUE)
set(OpenCV_VERSION 4.6.0)
set(OpenCV_INCLUDE_DIRS "${_bundle_usr}/include/opencv4")
foreach(_module core imgproc imgcodecs)
  if(NOT TARGET opencv_${_module})
    add_library(opencv_${_module} SHARED IMPORTED)
    set_target_properties(opencv_${_module} PROPERTIES
      IMPORTED_LOCATION "${_bundle_usr}/lib/x86_64-linux-gnu/libopencv_${_module}.so"
      INTERFACE_INCLUDE_DIRECTORIES "${OpenCV_INCLUDE_DIRS}")
  endif()
endforeach()
set(OpenCV_LIBS opencv_core opencv_imgproc opencv_imgcodecs)
CMAKE

glibc=$(ldd --version | head -1 | awk '{print $NF}')
cat >"$out/BUNDLE.txt" <<INFO
varstyle GPU bundle from $(hostname) ($(. /etc/os-release && echo "$PRETTY_NAME"), glibc $glibc), $(date -u +%F)
launch/gpu_check.sh --bundle $out uses the folder as a prefix (usr/...), or unpacks $out.tar.xz there first.
INFO
tar -C "$(dirname "$out")" -cf - "$(basename "$out")" | xz -T0 -9e >"$out.tar.xz"
echo "gpu_bundle: $(find "$out" -type f | wc -l) files, $(du -sh "$out" | cut -f1) in $out, $(du -sh "$out.tar.xz" | cut -f1) packed in $out.tar.xz (needs glibc >= $glibc on the node)"
