#!/usr/bin/env bash
# Prep throughput, varstyle-prep against prep_python.py (PIL + h5py, the same structure: THREADS
# decoding workers and one HDF5 writer), each timed as a whole process (start-up and imports
# included), warm page cache, on two folders: 600 photo-like JPEGs of 683x512, and 240
# camera-sized ones (0.3-1.2 MP, mixed aspect ratios and orientations; make_jpegs.py camera).
# The sides alternate run by run, REPEATS times, so that load from other work on the machine
# falls on both alike; the summary gives medians, their ratio, and the load before and after.
# Then the decode cost of each libjpeg-turbo IDCT scale (jpeg_scales.cpp).
# Usage: experiments/bench/bench_prep.sh [WORK_DIR] [REPEATS]   (JSON lines, then a summary)
set -euo pipefail
cd "$(dirname "$0")/../.."
work="${1:-/tmp/varstyle-bench}"
repeats="${2:-5}"
mkdir -p "$work"
python=/usr/bin/python3

echo "# machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; $(date -u '+%F %H:%M') UTC"
echo "# load before: $(uptime | sed 's/.*load average: //')"
$python experiments/bench/make_jpegs.py "$work/jpegs" 600
$python experiments/bench/make_jpegs.py "$work/camera" 240 camera
cat "$work"/jpegs/*/*.jpg "$work"/camera/*/*.jpg >/dev/null  # warm the page cache for both sides

results="$work/prep_runs.jsonl"
: >"$results"
# timed SET NAME THREADS COMMAND...: one JSON line with the wall time of COMMAND and its CPU time
# (user + system, its child processes included): the CPU time is what load from other work on
# the machine changes least.
timed() {
  local set=$1 name=$2 threads=$3; shift 3
  local TIMEFORMAT='%R %U %S' measured
  measured=$({ time "$@" >/dev/null 2>&1; } 2>&1)
  read -r wall user system <<<"$measured"
  echo "{\"set\": \"$set\", \"bench\": \"$name\", \"threads\": $threads, \"seconds\": $wall," \
    "\"cpu_seconds\": $(awk "BEGIN { printf \"%.3f\", $user + $system }")}" | tee -a "$results"
}
for set in jpegs camera; do
  for threads in 1 "$(nproc)"; do
    for _ in $(seq "$repeats"); do
      rm -rf "$work/prep-out" "$work/python.h5"
      timed "$set" varstyle "$threads" build/bin/varstyle-prep images --no-progress --input "$work/$set" \
        --output "$work/prep-out" --threads "$threads"
      timed "$set" python_draft "$threads" $python experiments/bench/prep_python.py "$work/$set" \
        "$work/python.h5" --threads "$threads" --draft
      rm -f "$work/python.h5"
      timed "$set" python_plain "$threads" $python experiments/bench/prep_python.py "$work/$set" \
        "$work/python.h5" --threads "$threads"
    done
  done
done
echo "# load after: $(uptime | sed 's/.*load average: //')"

# Decode cost per IDCT scale on the camera-sized folder (jpeg_decode.h's choice of scales).
c++ -O2 -std=c++17 experiments/bench/jpeg_scales.cpp -o "$work/jpeg_scales" -ljpeg
"$work/jpeg_scales" "$work/camera" 3

# Medians per folder and thread count: images/s of each side and varstyle-prep's ratio.
$python - "$results" "$work" <<'PY'
import json, statistics, sys
from pathlib import Path
runs = [json.loads(line) for line in open(sys.argv[1])]
work = Path(sys.argv[2])
for key in sorted({(r["set"], r["threads"]) for r in runs}, key=lambda k: (k[0] != "jpegs", k[1])):
    count = sum(1 for _ in (work / key[0]).rglob("*.jpg"))
    def median(name, field):
        return statistics.median(r[field] for r in runs if (r["set"], r["threads"]) == key and r["bench"] == name)
    names = ("varstyle", "python_draft", "python_plain")
    rate = {name: count / median(name, "seconds") for name in names}
    cpu = {name: median(name, "cpu_seconds") for name in names}
    print(json.dumps({"summary": key[0], "images": count, "threads": key[1],
                      **{f"{name}_images_per_s": round(value, 1) for name, value in rate.items()},
                      "ratio_vs_draft": round(rate["varstyle"] / rate["python_draft"], 2),
                      "ratio_vs_plain": round(rate["varstyle"] / rate["python_plain"], 2),
                      **{f"{name}_cpu_s": round(value, 2) for name, value in cpu.items()},
                      "cpu_ratio_vs_draft": round(cpu["python_draft"] / cpu["varstyle"], 2)}))
PY
