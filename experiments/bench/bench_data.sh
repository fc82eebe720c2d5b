#!/usr/bin/env bash
# Data-path benchmarks, both sides in one run on this machine:
#  1. prep throughput on a folder of JPEGs: varstyle-prep vs prep_python.py (PIL + h5py), at 1
#     and at all decoding threads, with PIL's draft mode off (the usual script) and on
#     (reduced-scale IDCT, as varstyle-prep decodes); each side timed as a whole process;
#  2. reader throughput per rank at 256x256 with augmentation (varstyle bench reader).
# Usage: experiments/bench/bench_data.sh [WORK_DIR] [JPEG_COUNT]   (prints JSON lines)
set -euo pipefail
cd "$(dirname "$0")/../.."
work="${1:-/tmp/varstyle-bench}"
count="${2:-600}"
threads_all="$(nproc)"
mkdir -p "$work"

echo "# machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; $(date -u +%F)"
/usr/bin/python3 experiments/bench/make_jpegs.py "$work/jpegs" "$count"
cat "$work"/jpegs/*/*.jpg > /dev/null   # warm the page cache for both sides alike

# Both sides are timed as whole processes (start-up and imports included), warm page cache.
timed() {  # timed NAME THREADS COMMAND...: one JSON line with the wall time of COMMAND
  local name=$1 threads=$2; shift 2
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null
  end=$(date +%s.%N)
  /usr/bin/python3 -c "n=$count; s=$end-$start; print('{\"bench\": \"$name\", \"images\": %d, \"seconds\": %.3f, \"images_per_s\": %.1f, \"threads\": $threads}' % (n, s, n/s))"
}
for threads in 1 "$threads_all"; do
  for run in 1 2; do
    rm -rf "$work/prep-out" "$work/python.h5"
    timed prep_varstyle "$threads" build/bin/varstyle-prep images --no-progress --input "$work/jpegs" --output "$work/prep-out" --threads "$threads"
    timed prep_python "$threads" /usr/bin/python3 experiments/bench/prep_python.py "$work/jpegs" "$work/python.h5" --threads "$threads"
    rm -f "$work/python.h5"
    timed prep_python_draft "$threads" /usr/bin/python3 experiments/bench/prep_python.py "$work/jpegs" "$work/python.h5" --threads "$threads" --draft
  done
done

rm -rf "$work/reader256"
build/bin/varstyle-prep synthetic --kind content --count 2000 --size 256 --shard-size 500 --output "$work/reader256" >/dev/null
for crop in 256 224; do
  for run in 1 2 3; do
    build/bin/varstyle bench reader --config configs/demo.yaml --batches 250 \
      data.content="$work/reader256" data.size=$crop data.batch_size=8
  done
done
