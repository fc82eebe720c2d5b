#!/usr/bin/env bash
# The main job on the embedded default dataset: installs what is missing, builds, draws the
# procedural content and style sets with varstyle-prep, verifies them, and measures the reader.
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

echo "== resolved configuration (configs/demo.yaml)"
build/bin/varstyle config --config configs/demo.yaml --out runs/demo
echo "== data path throughput on one rank"
build/bin/varstyle bench reader --config configs/demo.yaml --batches 100
