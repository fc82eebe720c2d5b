#!/usr/bin/env bash
# Configures and builds varstyle into build/ (binaries in build/bin/). Extra arguments go to
# CMake, e.g. -DCMAKE_PREFIX_PATH=/path/to/libtorch on a cluster. VARSTYLE_TARGETS limits the
# build to some targets (e.g. "varstyle varstyle-prep"); VARSTYLE_BUILD_DIR builds elsewhere
# (launch/gpu_check.sh keeps its CUDA build in build/gpu beside the CPU one); VARSTYLE_BUILD_KEEP_GOING=1
# goes on past files that fail to compile.
set -euo pipefail
cd "$(dirname "$0")/.."

generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# ccache caches files compiled with the precompiled LibTorch headers (VarstyleTorchPch.cmake) only
# when it may ignore the header's macros and __TIME__ (ccache's "Precompiled headers" section).
export CCACHE_SLOPPINESS="${CCACHE_SLOPPINESS:-pch_defines,time_macros}"
jobs="${VARSTYLE_BUILD_JOBS:-$(nproc)}"

# Two builds into one folder at once would each compile with every core and could race on
# CMake's own files: the second waits for the first.
build="${VARSTYLE_BUILD_DIR:-build}"
mkdir -p "$build"
exec 9>"$build/.build.lock"
flock 9

if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S . -B "$build" "${generator[@]}" "${launcher[@]}" -DCMAKE_BUILD_TYPE=Release "$@" >"$build/configure.log" 2>&1 ||
    { cat "$build/configure.log"; exit 1; }
elif [ $# -gt 0 ]; then
  cmake -S . -B "$build" "$@" >/dev/null
fi
targets=()
for target in ${VARSTYLE_TARGETS:-}; do targets+=(--target "$target"); done
# VARSTYLE_BUILD_KEEP_GOING=1: compile every file that can be, so one build lists every failure.
keep_going=()
if [ "${VARSTYLE_BUILD_KEEP_GOING:-0}" = 1 ]; then
  if grep -q '^CMAKE_GENERATOR:INTERNAL=Ninja' "$build/CMakeCache.txt"; then keep_going=(-- -k 0); else keep_going=(-- -k); fi
fi
cmake --build "$build" --parallel "$jobs" "${targets[@]}" "${keep_going[@]}"
