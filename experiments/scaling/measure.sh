#!/usr/bin/env bash
# The measured inputs of docs/scaling.md, for vst_256 and adain_256 at full width:
#  - bench-<model>-<ranks>.jsonl: `varstyle bench allreduce` on 1 and 2 ranks (mpirun), for the
#    default bucket size (5 MiB) and 1, 25 and 100 MiB, and the finest plan (0.001 MiB: about
#    one bucket per weight tensor), whose per-bucket lines map the timeline's launches to parameters;
#  - timeline-<model>.json: rank 0's timeline of a 2-rank training run with that finest plan
#    (64x64 crops of the embedded dataset, batch 2 per rank, 8 steps, the frozen VGG19 random:
#    only the order and the relative time at which gradients become ready are read from it);
#  - metrics-<model>.jsonl: that run's metrics, whose time split gives forward and backward.
# Usage: experiments/scaling/measure.sh [OUT] (default experiments/scaling/measured). The numbers
# are this machine's; project.py says which of them it uses and how.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
out="${1:-$repo/experiments/scaling/measured}"
varstyle="$repo/build/bin/varstyle"
[ -x "$varstyle" ] || { echo "build first: bash launch/build.sh" >&2; exit 1; }
[ -d "$repo/data/demo/content" ] || { echo "the embedded dataset is missing: bash launch/demo.sh draws it" >&2; exit 1; }
mkdir -p "$out"
mpirun_cmd=(mpirun --allow-run-as-root --oversubscribe)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for model in vst_256 adain_256; do
  for ranks in 1 2; do
    "${mpirun_cmd[@]}" -np "$ranks" "$varstyle" bench allreduce --config "$repo/configs/$model.yaml" \
      --repeats 20 --bucket-mb 1 --bucket-mb 5 --bucket-mb 25 --bucket-mb 100 >"$work/bench.jsonl"
    "${mpirun_cmd[@]}" -np "$ranks" "$varstyle" bench allreduce --config "$repo/configs/$model.yaml" \
      --repeats 5 dist.bucket_mb=0.001 dist.first_bucket_mb=0.001 >>"$work/bench.jsonl"
    mv "$work/bench.jsonl" "$out/bench-$model-$ranks.jsonl"
  done
  "${mpirun_cmd[@]}" -np 2 "$varstyle" train --config "$repo/configs/$model.yaml" --run-dir "$work/$model" \
    data.content="$repo/data/demo/content" data.style="$repo/data/demo/style" data.size=64 data.batch_size=2 \
    model.encoder_weights= train.steps=8 train.log_every=1 train.ckpt_every=1000 train.grid_size=0 \
    train.timeline=true dist.bucket_mb=0.001 dist.first_bucket_mb=0.001 >"$work/$model.log" 2>&1 ||
    { tail -n 20 "$work/$model.log"; exit 1; }
  cp "$work/$model/timeline-rank0.json" "$out/timeline-$model.json"
  cp "$work/$model/metrics.jsonl" "$out/metrics-$model.jsonl"
done
echo "measured into $out"
