#!/usr/bin/env bash
# CPU training throughput, both sides in one run on this machine.
# Default: varstyle train (adain, width 0.25, 64x64, batch 8; 1 rank at 1 and 2 threads, 2 MPI
# ranks x 1 thread) vs the Python twin train_python.py.
# --bf16: the published model at full width, 128x128, batch 4, 1 rank x 2 threads: varstyle fp32
# and train.bf16=true, pytorch-AdaIN's own step (train_pytorch_adain.py, fp32, as its users run
# it) and the twin under the same bf16 autocast, interleaved REPEATS times (other work on the
# machine then slows every side alike); medians and the ratios of each round; then each side's CPU
# time per step at one thread, which the other work hardly changes.
# Usage: experiments/bench/bench_train.sh [STEPS] [WORK_DIR]   (prints JSON lines; STEPS >= 30)
#        experiments/bench/bench_train.sh --bf16 [REPEATS] [WORK_DIR]
#        (PYTORCH_ADAIN: a checkout of naoto0804/pytorch-AdaIN; cloned into WORK_DIR if unset)
set -euo pipefail
cd "$(dirname "$0")/../.."
mode=small
if [[ "${1:-}" == --bf16 ]]; then mode=bf16; shift; fi
py=/usr/bin/python3   # Debian's interpreter: the one with torch 1.13 (the python3 on PATH has none)
if [[ $mode == small ]]; then
  steps="${1:-200}" work="${2:-/tmp/varstyle-bench-train}"
  log_every=10 width=0.25 size=64 batch=8 lr=0.0001 side=72
  if (( steps < 3 * log_every )); then echo "STEPS must be at least $((3 * log_every))" >&2; exit 2; fi
  py_steps=$((steps - log_every)) py_warmup=$log_every
else
  repeats="${1:-3}" work="${2:-/tmp/varstyle-bench-bf16}"
  # Short runs, one metrics line per step: more rounds fit, and each side's median and fastest
  # step are read from the same kind of sample.
  steps=12 log_every=1 width=1 size=128 batch=4 lr=0.0001 side=144 py_steps=10 py_warmup=2
fi
mkdir -p "$work"

echo "# machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, bf16 flags: $(grep -o -w -e avx512_bf16 -e amx_bf16 /proc/cpuinfo | sort -u | tr '\n' ' '); $(date -u +%F); $mode; load:$(uptime | sed 's/.*load average://')"
content="$work/content$side" style="$work/style$side"
if [[ ! -f "$content/manifest.json" || ! -f "$style/manifest.json" ]]; then
  rm -rf "$content" "$style"
  build/bin/varstyle-prep synthetic --no-progress --kind content --count 256 --size $side --output "$content" >/dev/null
  build/bin/varstyle-prep synthetic --no-progress --kind style --count 64 --size $side --output "$style" >/dev/null
fi

# Everything the step depends on is pinned (experiments/bench/twin_overrides.sh): the model,
# loss and optimiser of the Python twin (train_python.py); here only the data and the steps.
source experiments/bench/twin_overrides.sh
twin_overrides "$width" "$lr"
overrides=("${twin[@]}"
  data.content="$content" data.style="$style" data.size=$size data.batch_size=$batch
  train.steps=$steps train.log_every=$log_every
)
build/bin/varstyle config --config configs/demo.yaml "${overrides[@]}" train.threads=1 > "$work/resolved.yaml"

# Median images/s over the metrics.jsonl windows after the first (the first holds the warm-up),
# the fastest window, and the median seconds per step of each phase over the same windows.
summarise() {  # summarise NAME RANKS THREADS RUN_DIR
  "$py" - "$@" "$batch" <<'PY'
import json, statistics, sys
name, ranks, threads, run, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
lines = [json.loads(l) for l in open(run + "/metrics.jsonl") if l.strip()]
windows = lines[1:]
rate = statistics.median(l["images_per_s"] for l in windows)
best = max(l["images_per_s"] for l in windows)
phases = {p: round(1000 * statistics.median(l["seconds_per_step"][p] for l in windows), 2)
          for p in windows[0]["seconds_per_step"]}
print(json.dumps({"bench": name, "model": "adain", "ranks": ranks, "threads": threads,
                  "steps": lines[-1]["step"], "windows": len(windows), "images_per_s": round(rate, 2),
                  "ms_per_step": round(1000 * batch * ranks / rate, 2), "median_ms_per_step": round(1000 * batch * ranks / rate, 2),
                  "best_ms_per_step": round(1000 * batch * ranks / best, 2), "ms_per_step_phases": phases}))
PY
}

run_varstyle() {  # run_varstyle NAME RANKS THREADS [OVERRIDE ...]
  local name=$1 ranks=$2 threads=$3 run="$work/run-$1"
  shift 3
  local -a launcher=()
  rm -rf "$run"
  if (( ranks > 1 )); then launcher=(mpirun --allow-run-as-root --oversubscribe -np "$ranks"); fi
  if ! "${launcher[@]}" build/bin/varstyle train --config configs/demo.yaml --run-dir "$run" \
      "${overrides[@]}" train.threads="$threads" "$@" > "$work/$name.log" 2>&1; then
    tail -n 20 "$work/$name.log" >&2
    return 1
  fi
  summarise "$name" "$ranks" "$threads" "$run" | tee -a "$work/results.jsonl"
}

# Note: varstyle's step time includes its data path (HDF5 read, XXH3 check, crop/flip, uint8 ->
# float, prefetched by background threads that share the cores), and its images/s is measured
# over whole logging windows (metrics flush included). The Python side times only the compute of
# a step on pre-made random tensors, which favours Python slightly.
run_python() {  # run_python THREADS [--bf16]
  "$py" experiments/bench/train_python.py --width $width --size $size --batch $batch --lr $lr \
      --steps $py_steps --warmup $py_warmup --threads "$@" | tee -a "$work/results.jsonl"
}

rm -f "$work/results.jsonl"
touch "$work/results.jsonl"
if [[ $mode == small ]]; then
  for threads in 1 2; do
    run_varstyle "varstyle_1rank_${threads}t" 1 "$threads"
    run_python "$threads"
  done
  run_varstyle varstyle_2ranks_1t 2 1

  "$py" - "$work/results.jsonl" <<'PY'
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
PY
  exit 0
fi

adain="${PYTORCH_ADAIN:-$work/pytorch-AdaIN}"
[[ -f "$adain/net.py" ]] || git clone --quiet https://github.com/naoto0804/pytorch-AdaIN "$adain"
echo "# pytorch-AdaIN: $adain ($(git -C "$adain" rev-parse --short HEAD 2>/dev/null || echo 'not a git checkout'))"
run_adain() {  # pytorch-AdaIN's own step, fp32 (tagged with the round)
  "$py" experiments/bench/train_pytorch_adain.py --adain-dir "$adain" --size $size --batch $batch --threads 2 \
      --steps $py_steps --warmup $py_warmup | sed "s/^{/{\"round\": $1, /" | tee -a "$work/results.jsonl"
}
for (( round = 1; round <= repeats; round++ )); do
  echo "# round $round, load:$(uptime | sed 's/.*load average://')"
  run_varstyle "varstyle_fp32_r$round" 1 2
  run_varstyle "varstyle_bf16_r$round" 1 2 train.bf16=true
  run_adain "$round"
  run_python 2 --bf16
  run_python 2
done
echo "# end, load:$(uptime | sed 's/.*load average://')"

# One thread, CPU time per step: on a shared machine a step's wall clock depends on the other
# work, the CPU time it takes at one thread hardly. varstyle: the difference between runs of 3
# and 9 steps (start-up, pre-flight and warm-up cancel out); Python: each step's process time.
rm -f "$work/cpu.jsonl"
cpu_seconds() {  # cpu_seconds NAME STEPS [OVERRIDE ...]: user + system seconds of one varstyle run
  local name=$1 count=$2
  shift 2
  rm -rf "$work/run-$name"
  /usr/bin/time -f "%U %S" -o "$work/$name.time" build/bin/varstyle train --config configs/demo.yaml \
      --run-dir "$work/run-$name" "${overrides[@]}" train.steps="$count" train.threads=1 "$@" > "$work/$name.log" 2>&1
  awk '{print $1 + $2}' "$work/$name.time"
}
for precision in fp32 bf16; do
  extra=()
  [[ $precision == bf16 ]] && extra=(train.bf16=true)
  short=$(cpu_seconds "cpu_${precision}_3" 3 "${extra[@]}")
  long=$(cpu_seconds "cpu_${precision}_9" 9 "${extra[@]}")
  echo "{\"bench\": \"varstyle_$precision\", \"threads\": 1, \"median_cpu_ms_per_step\": $(awk "BEGIN {print 1000 * ($long - $short) / 6}")}" |
    tee -a "$work/cpu.jsonl"
done
"$py" experiments/bench/train_pytorch_adain.py --adain-dir "$adain" --size $size --batch $batch --threads 1 --steps 6 \
    --warmup 2 | tee -a "$work/cpu.jsonl"
for flag in --bf16 ""; do
  "$py" experiments/bench/train_python.py --width $width --size $size --batch $batch --lr $lr --steps 6 --warmup 2 \
      --threads 1 $flag | tee -a "$work/cpu.jsonl"
done
echo "# end of the one-thread runs, load:$(uptime | sed 's/.*load average://')"

(( repeats > 0 )) && "$py" - "$work/results.jsonl" "$batch" <<'PY'
import collections, json, statistics, sys
rows, batch = [json.loads(l) for l in open(sys.argv[1])], int(sys.argv[2])
median, best = collections.defaultdict(list), collections.defaultdict(list)  # side -> ms per step, per round
for r in rows:
    if r["bench"].startswith("varstyle_"):
        side = r["bench"].rsplit("_r", 1)[0]
    elif r["bench"] == "pytorch_adain":
        side = "pytorch_adain_fp32"
    else:
        side = "twin_bf16" if r["bf16"] else "twin_fp32"
    median[side].append(r["median_ms_per_step"])
    best[side].append(r["best_ms_per_step"])
img = lambda ms: round(1000.0 * batch / ms, 3)
for side in median:
    print(json.dumps({"side": side, "images_per_s_median_of_rounds": img(statistics.median(median[side])),
                      "images_per_s_fastest_step": img(min(best[side])),
                      "rounds_median_ms_per_step": median[side], "rounds_best_ms_per_step": best[side]}))
def ratio(side, base):  # speed of side over base: per round (same round, interleaved), and of the fastest steps
    per_round = [b / a for a, b in zip(median[side], median[base])]
    print(json.dumps({"ratio": f"{side} / {base}", "median_of_rounds": round(statistics.median(per_round), 3),
                      "rounds": [round(x, 3) for x in per_round],
                      "fastest_steps": round(min(best[base]) / min(best[side]), 3)}))
for side in ("varstyle_bf16", "varstyle_fp32", "twin_bf16", "twin_fp32"):
    ratio(side, "pytorch_adain_fp32")
ratio("varstyle_bf16", "twin_bf16")
ratio("varstyle_bf16", "varstyle_fp32")
PY
"$py" - "$work/cpu.jsonl" <<'PY'
import json, sys
cpu = {}
for r in map(json.loads, open(sys.argv[1])):
    side = r["bench"] if r["bench"].startswith("varstyle_") else (
        "pytorch_adain_fp32" if r["bench"] == "pytorch_adain" else ("twin_bf16" if r["bf16"] else "twin_fp32"))
    cpu[side] = r["median_cpu_ms_per_step"]
for side in ("varstyle_bf16", "varstyle_fp32", "twin_bf16", "twin_fp32"):
    print(json.dumps({"ratio": f"{side} / pytorch_adain_fp32, 1 thread, CPU time per step", "cpu_ms_per_step": cpu[side],
                      "base_cpu_ms_per_step": cpu["pytorch_adain_fp32"],
                      "speed_ratio": round(cpu["pytorch_adain_fp32"] / cpu[side], 3)}))
PY
