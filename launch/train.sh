#!/usr/bin/env bash
# Training without Slurm: an mpirun wrapper. launch/train.sh [-n RANKS] CONFIG [section.key=value ...]
# Ranks default to 2; each rank gets cores / ranks threads; the environment the trainer reads
# (OMP_NUM_THREADS, HDF5_USE_FILE_LOCKING, CUDA_VISIBLE_DEVICES) is passed through.
set -euo pipefail
cd "$(dirname "$0")/.."
ranks=2
if [ "${1:-}" = "-n" ]; then ranks="$2"; shift 2; fi
[ $# -ge 1 ] || { echo "usage: launch/train.sh [-n RANKS] CONFIG [section.key=value ...]" >&2; exit 2; }
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-$(( $(nproc) / ranks > 0 ? $(nproc) / ranks : 1 ))}"
export HDF5_USE_FILE_LOCKING="${HDF5_USE_FILE_LOCKING:-FALSE}"
flags=(--oversubscribe --bind-to none -x OMP_NUM_THREADS -x HDF5_USE_FILE_LOCKING)
[ -n "${CUDA_VISIBLE_DEVICES:-}" ] && flags+=(-x CUDA_VISIBLE_DEVICES)
[ "$(id -u)" -eq 0 ] && flags+=(--allow-run-as-root)
config="$1"
shift
exec mpirun "${flags[@]}" -np "$ranks" build/bin/varstyle train --config "$config" "train.threads=${OMP_NUM_THREADS}" "$@"
