#!/usr/bin/env bash
# The quality floors with train.bf16: trains each demo config twice on 2 CPU ranks, fp32 and with
# train.bf16=true, into RUNS/KIND-fp32 and RUNS/KIND-bf16 (its own folders: run.sh's runs/demo*
# stay as they are), and evaluates both side by side on the held-out pairs of
# configs/eval_heldout.yaml (Gatys left out: it does not depend on the training precision).
# Usage: experiments/quality/bf16.sh [KIND ...]   (default: adain; RUNS: $VARSTYLE_BF16_RUNS or runs/bf16)
# Needs data/demo and data/heldout: experiments/quality/run.sh draws them.
set -euo pipefail
cd "$(dirname "$0")/../.."
kinds=("$@")
[ ${#kinds[@]} -eq 0 ] && kinds=(adain)
runs="${VARSTYLE_BF16_RUNS:-runs/bf16}"
for folder in data/demo/content data/demo/style data/heldout/content data/heldout/style; do
  [ -f "$folder/manifest.json" ] || { echo "$folder/manifest.json is missing: experiments/quality/run.sh draws it" >&2; exit 2; }
done

source launch/mpirun_flags.sh
methods=""
for kind in "${kinds[@]}"; do
  config=configs/demo_$kind.yaml
  [ "$kind" = vst ] && config=configs/demo.yaml
  for precision in fp32 bf16; do
    run="$runs/$kind-$precision"
    echo "== training $config ($precision) into $run/"
    rm -rf "$run"
    start=$(date +%s)
    bf16=false
    [ "$precision" = bf16 ] && bf16=true
    mpirun "${mpirun_flags[@]}" -np 2 build/bin/varstyle train --config "$config" --run-dir "$run" train.bf16=$bf16 2>&1 |
      grep -E "step [0-9]+/|bf16|rror" || true
    echo "   $(( $(date +%s) - start )) s"
    methods+="$kind-$precision:$run,"
  done
done
rm -rf "$runs/eval"
build/bin/varstyle eval --config configs/eval_heldout.yaml --out "$runs/eval" "eval.methods=[${methods}identity]"
cat "$runs/eval/summary.md"
