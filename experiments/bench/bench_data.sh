#!/usr/bin/env bash
# Data-path benchmarks, both sides in one run on this machine:
#  1. prep throughput on folders of JPEGs: varstyle-prep vs prep_python.py (PIL + h5py), at 1
#     and at all decoding threads, with PIL's draft mode off and on (bench_prep.sh);
#  2. reader throughput per rank at 256x256 with augmentation (varstyle bench reader).
# Usage: experiments/bench/bench_data.sh [WORK_DIR] [REPEATS]   (prints JSON lines)
set -euo pipefail
cd "$(dirname "$0")/../.."
work="${1:-/tmp/varstyle-bench}"
mkdir -p "$work"

experiments/bench/bench_prep.sh "$work" "${2:-5}"

rm -rf "$work/reader256"
build/bin/varstyle-prep synthetic --kind content --count 2000 --size 256 --shard-size 500 --output "$work/reader256" >/dev/null
for crop in 256 224; do
  for run in 1 2 3; do
    build/bin/varstyle bench reader --config configs/demo.yaml --batches 250 \
      data.content="$work/reader256" data.size=$crop data.batch_size=8
  done
done
