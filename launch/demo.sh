#!/usr/bin/env bash
# The main job on the embedded default dataset: installs what is missing, builds, draws the
# procedural content and style sets with varstyle-prep, verifies them, trains the vst model on
# 2 MPI ranks on the CPU, writes the content x style grid of its stylisations, and evaluates it
# against Gatys and the identity on held-out pairs into evals/demo/report.html.
set -euo pipefail
cd "$(dirname "$0")/.."

bash launch/install_deps.sh
VARSTYLE_TARGETS="varstyle varstyle-prep" bash launch/build.sh

data=data/demo
echo "== drawing the embedded dataset into $data/"
build/bin/varstyle-prep synthetic --kind content --count 256 --size 72 --seed 1 --output "$data/content"
build/bin/varstyle-prep synthetic --kind style --count 64 --size 72 --seed 2 --output "$data/style"
build/bin/varstyle-prep verify "$data/content"
build/bin/varstyle-prep verify "$data/style"
echo "== drawing held-out evaluation pairs (other seeds, 128x128) into data/heldout/"
build/bin/varstyle-prep synthetic --kind content --count 8 --size 128 --seed 101 --output data/heldout/content
build/bin/varstyle-prep synthetic --kind style --count 8 --size 128 --seed 102 --output data/heldout/style

echo "== training configs/demo.yaml on 2 MPI ranks (CPU) into runs/demo/"
source launch/mpirun_flags.sh
rm -rf runs/demo
mpirun "${mpirun_flags[@]}" -np 2 build/bin/varstyle train --config configs/demo.yaml --run-dir runs/demo

echo "== evaluating the trained model against Gatys and the identity on the held-out pairs (configs/eval.yaml)"
rm -rf evals/demo
build/bin/varstyle eval --config configs/eval.yaml --out evals/demo

echo "== done: losses in runs/demo/metrics.jsonl, stylisations in runs/demo/grid.png,"
echo "   the comparison report in evals/demo/report.html"
