#!/usr/bin/env bash
# Installs the Debian 12 packages varstyle builds, tests and benchmarks with.
# Idempotent: installs only what is missing and prints nothing when everything is there.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config
  libtorch-dev
  libopenblas0-openmp   # LibTorch's matrix products (Grams, W2, linear); Debian's default BLAS is the slow reference one
  libopenmpi-dev openmpi-bin
  slurm-wlm munge
  libhdf5-dev hdf5-tools
  libyaml-cpp-dev
  libgtest-dev
  libopencv-dev
  libjpeg62-turbo-dev libxxhash-dev
  libcli11-dev nlohmann-json3-dev libspdlog-dev libfmt-dev
  libcpp-httplib-dev                      # varstyle explore's HTTP server
  chromium chromium-driver python3-selenium  # varstyle explore's browser tests
  python3 python3-numpy python3-h5py python3-pil python3-torch
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install_deps: installing ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install_deps: done"
