#!/usr/bin/env bash
# Stylisation throughput of every method on this machine (experiments/bench/RESULTS.md): the four
# models at full width (random weights: timing only) at 256^2 and 512^2, batch 1 and batched, and
# Gatys' L-BFGS iterations, beside the AdaIN paper's 56 FPS at 256^2 and 15 FPS at 512^2 (Pascal
# Titan X GPU). Usage: experiments/bench/bench_stylize.sh [THREADS] (prints JSON lines)
set -euo pipefail
cd "$(dirname "$0")/../.."
threads="${1:-$(nproc)}"
echo "# machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, $threads thread(s); $(date -u +%F)"
for kind in adain linear vst wae; do
  for size in 256 512; do
    for batch in 1 4; do
      repeats=$(( size == 512 ? 1 : 3 ))
      build/bin/varstyle bench stylize --config "configs/${kind}_256.yaml" --size "$size" --batch "$batch" \
        --repeats "$repeats" --threads "$threads" model.encoder_weights= 2>/dev/null
    done
  done
done
for size in 256 512; do
  build/bin/varstyle bench stylize --config configs/eval.yaml --method gatys --size "$size" --iterations 5 \
    --threads "$threads" eval.network_width=1.0 2>/dev/null
done
