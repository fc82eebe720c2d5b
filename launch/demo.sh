#!/usr/bin/env bash
# The main job on the embedded default dataset: installs what is missing, builds, draws the
# procedural content and style sets with varstyle-prep, verifies them, trains the vst model on
# 2 MPI ranks on the CPU, writes the content x style grid of its stylisations, and evaluates it
# against Gatys and the identity on held-out pairs into evals/demo/report.html.
# Each phase prints its elapsed time, so a slow machine shows which part is slow; the closing
# summary says which methods passed the quality floors and where the files are.
set -euo pipefail
cd "$(dirname "$0")/.."

began=$SECONDS phase_began=$SECONDS phase_name="" phases=()
minutes() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }
# phase NAME EXPECTED: ends the phase before (printing its time), starts NAME. EXPECTED is what
# it took on a 2-core VM (README, "Two commands").
phase() {
  if [ -n "$phase_name" ]; then
    local took=$((SECONDS - phase_began))
    echo "== $phase_name: $(minutes "$took")"
    phases+=("$(printf '%-10s %s' "$phase_name" "$(minutes "$took")")")
  fi
  phase_name="${1:-}" phase_began=$SECONDS
  [ -z "$phase_name" ] || echo "== [$((${#phases[@]} + 1))/5] $phase_name (on a 2-core VM: $2)"
}

phase install "a second when installed, about 2 min on a fresh machine"
bash launch/install_deps.sh

phase build "about 4 min cold, under a second when up to date"
VARSTYLE_TARGETS="varstyle varstyle-prep" bash launch/build.sh

phase data "under a second"
data=data/demo
echo "   the embedded dataset into $data/, held-out evaluation pairs (other seeds, 128x128) into data/heldout/"
build/bin/varstyle-prep synthetic --kind content --count 256 --size 72 --seed 1 --output "$data/content"
build/bin/varstyle-prep synthetic --kind style --count 64 --size 72 --seed 2 --output "$data/style"
build/bin/varstyle-prep verify "$data/content"
build/bin/varstyle-prep verify "$data/style"
build/bin/varstyle-prep synthetic --kind content --count 8 --size 128 --seed 101 --output data/heldout/content
build/bin/varstyle-prep synthetic --kind style --count 8 --size 128 --seed 102 --output data/heldout/style

phase training "5-10 min"
echo "   configs/demo.yaml on 2 MPI ranks (CPU) into runs/demo/"
source launch/mpirun_flags.sh
rm -rf runs/demo
mpirun "${mpirun_flags[@]}" -np 2 build/bin/varstyle train --config configs/demo.yaml --run-dir runs/demo

phase evaluation "under 2 min"
echo "   the trained model against Gatys and the identity on the held-out pairs (configs/eval.yaml)"
rm -rf evals/demo
build/bin/varstyle eval --config configs/eval.yaml --out evals/demo
phase ""

echo
echo "== done in $(minutes $((SECONDS - began)))"
printf '   %s\n' "${phases[@]}"
echo "   quality floors (evals/demo/summary.md; the README's \"Image-space quality\" says what they are;"
echo "   identity, the unchanged content, is the reference and fails them):"
# summary.md's table: | method | floors | ... ; the rows below its two header lines.
awk -F' [|] ' '/^[|] method [|]/ { table = 1; next } table && /^[|]/ && !/^[|]---/ { sub(/^[|] /, "", $1); printf "     %-10s %s\n", $1, $2 }' \
  evals/demo/summary.md
echo "   the stylisations, content x style:    runs/demo/grid.png"
echo "   losses as they fell:                  runs/demo/metrics.jsonl"
echo "   the comparison report (open offline): evals/demo/report.html"
