#!/usr/bin/env bash
# Trains the four embedded-default configs (configs/demo*.yaml) on 2 CPU ranks from the data
# launch/demo.sh draws, and evaluates them on held-out procedural pairs (configs/eval_heldout.yaml)
# against Gatys and the identity -> evals/heldout/ (summary.md says which methods pass the floors),
# and on validation pairs drawn with other seeds (configs/eval_validation.yaml) -> evals/validation/:
# compare settings on the validation pairs, report the held-out ones. Then the same with real images
# that Debian ships (experiments/quality/real_images.sh draws them once): validation pairs of
# photographs and texture patterns (configs/eval_real_validation.yaml) -> evals/real_validation/, and
# held-out photographs with real textures and paintings (configs/eval_real.yaml) -> evals/real/.
# Usage: experiments/quality/run.sh [KIND ...]   (default: vst wae adain linear; trains only those)
set -euo pipefail
cd "$(dirname "$0")/../.."
kinds=("$@")
[ ${#kinds[@]} -eq 0 ] && kinds=(vst wae adain linear)
prep=build/bin/varstyle-prep
[ -f data/demo/content/manifest.json ] || $prep synthetic --kind content --count 256 --size 72 --seed 1 --output data/demo/content
[ -f data/demo/style/manifest.json ] || $prep synthetic --kind style --count 64 --size 72 --seed 2 --output data/demo/style
# Held out: other seeds, drawn at the evaluation size.
[ -f data/heldout/content/manifest.json ] || $prep synthetic --kind content --count 8 --size 128 --seed 101 --output data/heldout/content
[ -f data/heldout/style/manifest.json ] || $prep synthetic --kind style --count 8 --size 128 --seed 102 --output data/heldout/style
[ -f data/validation/content/manifest.json ] || $prep synthetic --kind content --count 8 --size 128 --seed 201 --output data/validation/content
[ -f data/validation/style/manifest.json ] || $prep synthetic --kind style --count 8 --size 128 --seed 202 --output data/validation/style

source launch/mpirun_flags.sh
for kind in "${kinds[@]}"; do
  config=configs/demo_$kind.yaml run=runs/demo_$kind
  [ "$kind" = vst ] && config=configs/demo.yaml run=runs/demo
  echo "== training $config into $run/"
  rm -rf "$run"
  start=$(date +%s)
  mpirun "${mpirun_flags[@]}" -np 2 build/bin/varstyle train --config "$config" --run-dir "$run" 2>&1 | grep -E "step [0-9]+/|rror" || true
  echo "   $(( $(date +%s) - start )) s"
done
rm -rf evals/validation evals/heldout evals/real_validation evals/real
build/bin/varstyle eval --config configs/eval_validation.yaml --out evals/validation >/dev/null
echo "== validation pairs (compare settings here): evals/validation/summary.md"
build/bin/varstyle eval --config configs/eval_heldout.yaml --out evals/heldout | tail -n +1
[ -f data/real/style/manifest.json ] && [ -f data/real_validation/style/manifest.json ] || experiments/quality/real_images.sh
build/bin/varstyle eval --config configs/eval_real_validation.yaml --out evals/real_validation >/dev/null
echo "== real validation pairs (compare settings here too): evals/real_validation/summary.md"
echo "== real photographs, textures and paintings: evals/real/summary.md"
build/bin/varstyle eval --config configs/eval_real.yaml --out evals/real | tail -n +1
