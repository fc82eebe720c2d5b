#!/usr/bin/env bash
# CPU training throughput, both sides in one run on this machine: varstyle train (adain, width
# 0.25, 64x64, batch 8; 1 rank at 1 and 2 threads, 2 MPI ranks x 1 thread) vs train_python.py.
# Usage: experiments/bench/bench_train.sh [STEPS] [WORK_DIR]   (prints JSON lines; STEPS >= 30)
set -euo pipefail
cd "$(dirname "$0")/../.."
steps="${1:-200}"
work="${2:-/tmp/varstyle-bench-train}"
log_every=10
width=0.25 size=64 batch=8 lr=0.0001
py=/usr/bin/python3   # Debian's interpreter: the one with torch 1.13 (the python3 on PATH has none)
if (( steps < 3 * log_every )); then echo "STEPS must be at least $((3 * log_every))" >&2; exit 2; fi
mkdir -p "$work"

echo "# machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; $(date -u +%F); steps $steps"
if [[ ! -f "$work/content/manifest.json" || ! -f "$work/style/manifest.json" ]]; then
  rm -rf "$work/content" "$work/style"
  build/bin/varstyle-prep synthetic --no-progress --kind content --count 256 --size 72 --output "$work/content" >/dev/null
  build/bin/varstyle-prep synthetic --no-progress --kind style --count 64 --size 72 --output "$work/style" >/dev/null
fi

# Everything the step depends on is pinned (experiments/bench/twin_overrides.sh): the model,
# loss and optimiser of the Python twin (train_python.py); here only the data and the steps.
source experiments/bench/twin_overrides.sh
twin_overrides "$width" "$lr"
overrides=("${twin[@]}"
  data.content="$work/content" data.style="$work/style" data.size=$size data.batch_size=$batch
  train.steps=$steps train.log_every=$log_every
)
build/bin/varstyle config --config configs/demo.yaml "${overrides[@]}" train.threads=1 > "$work/resolved.yaml"

# Median images/s over the metrics.jsonl windows after the first (the first holds the warm-up),
# and the median seconds per step of each phase over the same windows.
summarise() {  # summarise NAME RANKS THREADS RUN_DIR
  "$py" - "$@" "$batch" <<'EOF'
import json, statistics, sys
name, ranks, threads, run, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
lines = [json.loads(l) for l in open(run + "/metrics.jsonl") if l.strip()]
windows = lines[1:]
rate = statistics.median(l["images_per_s"] for l in windows)
phases = {p: round(1000 * statistics.median(l["seconds_per_step"][p] for l in windows), 2)
          for p in windows[0]["seconds_per_step"]}
print(json.dumps({"bench": name, "model": "adain", "ranks": ranks, "threads": threads,
                  "steps": lines[-1]["step"], "windows": len(windows), "images_per_s": round(rate, 2),
                  "ms_per_step": round(1000 * batch * ranks / rate, 2), "ms_per_step_phases": phases}))
EOF
}

run_varstyle() {  # run_varstyle NAME RANKS THREADS
  local name=$1 ranks=$2 threads=$3 run="$work/run-$1"
  local -a launcher=()
  rm -rf "$run"
  if (( ranks > 1 )); then launcher=(mpirun --allow-run-as-root --oversubscribe -np "$ranks"); fi
  if ! "${launcher[@]}" build/bin/varstyle train --config configs/demo.yaml --run-dir "$run" \
      "${overrides[@]}" train.threads="$threads" > "$work/$name.log" 2>&1; then
    tail -n 20 "$work/$name.log" >&2
    return 1
  fi
  summarise "$name" "$ranks" "$threads" "$run" | tee -a "$work/results.jsonl"
}

# Note: varstyle's step time includes its data path (HDF5 read, XXH3 check, crop/flip, uint8 ->
# float, prefetched by background threads that share the cores), and its images/s is measured
# over whole logging windows (metrics flush included). The Python side times only the compute of
# a step on pre-made random tensors, which favours Python slightly.
run_python() {  # run_python THREADS
  "$py" experiments/bench/train_python.py --width $width --size $size --batch $batch --lr $lr \
      --steps $((steps - log_every)) --warmup $log_every --threads "$1" | tee -a "$work/results.jsonl"
}

rm -f "$work/results.jsonl"
for threads in 1 2; do
  run_varstyle "varstyle_1rank_${threads}t" 1 "$threads"
  run_python "$threads"
done
run_varstyle varstyle_2ranks_1t 2 1

"$py" - "$work/results.jsonl" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
python = {r["threads"]: r["images_per_s"] for r in rows if r["bench"] == "train_python"}
for r in rows:
    if r["bench"] == "train_python":
        continue
    cores = r["ranks"] * r["threads"]
    print(json.dumps({"ratio": f'{r["bench"]} / train_python_{cores}t', "cores": cores,
                      "varstyle_images_per_s": r["images_per_s"], "python_images_per_s": python[cores],
                      "varstyle_over_python": round(r["images_per_s"] / python[cores], 3)}))
EOF
