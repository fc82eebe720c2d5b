#!/usr/bin/env bash
# The GPU path in one command, on a GPU node without root: builds varstyle (build/gpu) against the
# LibTorch inside the node's PyTorch, with NCCL from its wheel and the other libraries from a
# bundle made by launch/gpu_bundle.sh on a Debian 12 machine; then runs and prints
#   1. a few steps of 1-rank NCCL training with bf16 and channels_last off and on,
#   2. a resume from the middle checkpoint,
#   3. stylize, sample and eval on the GPU,
#   4. the training benchmark: varstyle's step against the PyTorch step (train_python.py), same
#      GPU, model, batch and resolution, images/s and the ratio.
# Usage: launch/gpu_check.sh [--bundle DIR] [--work DIR] [--steps N] [--skip-build]
#   (--bundle: the folder, or DIR.tar.xz beside it, from launch/gpu_bundle.sh; default build/gpu-bundle)
# Results: the printed summary, and WORK/results.jsonl. docs/gpu.md explains each line.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bundle=build/gpu-bundle work=build/gpu-check steps=20 skip_build=0
while [ $# -gt 0 ]; do
  case "$1" in
    --bundle) bundle="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --steps) steps="$2"; shift 2 ;;
    --skip-build) skip_build=1; shift ;;
    *) echo "gpu_check: unknown argument '$1' (see the usage at the top of $0)" >&2; exit 2 ;;
  esac
done
[[ "$steps" =~ ^[0-9]+$ ]] && (( steps >= 4 && steps % 2 == 0 )) ||
  { echo "gpu_check: --steps $steps: an even whole number of at least 4" >&2; exit 2; }
say() { printf '\n== %s\n' "$*"; }
python=${PYTHON:-python3}

# --- What the node offers --------------------------------------------------------------------
say "node"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
"$python" - <<'PY' || { echo "gpu_check: $python has no CUDA PyTorch" >&2; exit 2; }
import torch, sys
print(f"PyTorch {torch.__version__}, CUDA {torch.version.cuda}, {torch.cuda.device_count()} GPU(s), "
      f"cxx11 ABI {torch._C._GLIBCXX_USE_CXX11_ABI}")
# Debian's libraries use the C++11 ABI; a LibTorch without it cannot link with them.
sys.exit(0 if torch.cuda.is_available() and torch._C._GLIBCXX_USE_CXX11_ABI else 1)
PY
if [ ! -d "$bundle/usr" ] && [ -f "$bundle.tar.xz" ]; then
  tar -C "$(dirname "$bundle")" -xJf "$bundle.tar.xz"
fi
[ -d "$bundle/usr" ] || { echo "gpu_check: no bundle at $bundle: run launch/gpu_bundle.sh on a Debian 12 machine and bring $bundle along" >&2; exit 2; }
prefix=$(cd "$bundle" && pwd)/usr
torch_cmake=$("$python" -c 'import torch; print(torch.utils.cmake_prefix_path)')
torch_lib=$("$python" -c 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')
nccl_root=$("$python" -c 'import nvidia.nccl as n; print(list(n.__path__)[0])' 2>/dev/null || true)
echo "bundle $bundle ($(head -1 "$bundle/BUNDLE.txt" 2>/dev/null)), node glibc $(ldd --version | head -1 | awk '{print $NF}')"
echo "LibTorch $torch_cmake; NCCL ${nccl_root:-not in the wheel: the CUDA toolkit copy, if any}"

arch=x86_64-linux-gnu
export LD_LIBRARY_PATH="$prefix/lib/$arch:$prefix/lib/$arch/openmpi/lib:$prefix/lib/$arch/hdf5/serial:$torch_lib${nccl_root:+:$nccl_root/lib}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export PATH="$prefix/bin:$PATH"
# Open MPI found where the bundle put it; a single rank runs as a singleton without mpirun.
export OPAL_PREFIX="$prefix" OMPI_MCA_ess_singleton_isolated=1 HDF5_USE_FILE_LOCKING=FALSE

# --- Build ------------------------------------------------------------------------------------
if (( ! skip_build )); then
  say "build (build/gpu)"
  export TORCH_CUDA_ARCH_LIST="${TORCH_CUDA_ARCH_LIST:-9.0}"
  VARSTYLE_BUILD_DIR=build/gpu VARSTYLE_TARGETS="varstyle varstyle-prep" bash launch/build.sh \
    -DCMAKE_PREFIX_PATH="$torch_cmake;$prefix;$prefix/lib/$arch/cmake" \
    -DVARSTYLE_WITH_NCCL=ON -DVARSTYLE_BUILD_TESTS=OFF ${nccl_root:+-DNCCL_ROOT="$nccl_root"} \
    -DMPI_SKIP_COMPILER_WRAPPER=ON -DMPI_CXX_SKIP_MPICXX=ON \
    -DMPI_CXX_ADDITIONAL_INCLUDE_DIRS="$prefix/lib/$arch/openmpi/include" \
    -DMPI_CXX_LIB_NAMES=mpi -DMPI_mpi_LIBRARY="$prefix/lib/$arch/openmpi/lib/libmpi.so" \
    -DHDF5_C_COMPILER_EXECUTABLE=/nonexistent -DHDF5_C_INCLUDE_DIR="$prefix/include/hdf5/serial" \
    -DHDF5_C_LIBRARIES="$prefix/lib/$arch/hdf5/serial/libhdf5.so" -DOpenCV_DIR="$prefix/../opencv-cmake"
fi
bin="$root/build/gpu/bin"
"$bin/varstyle" info

# --- Data -------------------------------------------------------------------------------------
mkdir -p "$work"
work=$(cd "$work" && pwd)
results="$work/results.jsonl"
: >"$results"
if [ ! -f "$work/content/manifest.json" ] || [ ! -f "$work/style/manifest.json" ]; then
  rm -rf "$work/content" "$work/style"
  "$bin/varstyle-prep" synthetic --no-progress --kind content --count 64 --size 72 --output "$work/content" >/dev/null
  "$bin/varstyle-prep" synthetic --no-progress --kind style --count 16 --size 72 --output "$work/style" >/dev/null
fi
# Two small images for stylize and sample (binary PPM: any OpenCV reads it, no Python imaging needed).
"$python" - "$work" <<'PY'
import sys
for name, f in (("content.ppm", lambda x, y: (x * 4 % 256, y * 4 % 256, (x ^ y) % 256)),
                ("style.ppm", lambda x, y: ((x // 8 % 2) * 255, 128, (y // 8 % 2) * 255))):
    data = bytes(v for y in range(96) for x in range(96) for v in f(x, y))
    open(f"{sys.argv[1]}/{name}", "wb").write(b"P6 96 96 255\n" + data)
PY

common=(data.content="$work/content" data.style="$work/style" dist.backend=nccl train.log_every=$((steps / 2))
        train.ckpt_every=$((steps / 2)) train.grid_size=2 train.threads=4)
last_metrics() {  # last_metrics NAME RUN: the last metrics.jsonl line, tagged, into results.jsonl
  "$python" - "$1" "$2/metrics.jsonl" <<'PY' | tee -a "$results"
import json, sys
line = [json.loads(l) for l in open(sys.argv[2]) if l.strip()][-1]
print(json.dumps({"check": sys.argv[1], "step": line.get("step"), "loss": line.get("loss"),
                  "images_per_s": line.get("images_per_s"), "seconds_per_step": line.get("seconds_per_step")}))
PY
}
status=0
check() {  # check NAME COMMAND...: runs it, keeps its log, reports failure without stopping
  local name=$1; shift
  if "$@" >"$work/$name.log" 2>&1; then echo "ok   $name"; else status=1; echo "FAIL $name (exit $?): tail of $work/$name.log"; tail -n 15 "$work/$name.log"; fi
}

# --- 1. NCCL training, bf16 and channels_last off and on --------------------------------------
say "1. one rank, NCCL, $steps steps (configs/demo.yaml, vst)"
for bf16 in false true; do
  for channels_last in false true; do
    name="train-bf16_${bf16}-cl_${channels_last}"
    rm -rf "$work/$name"
    check "$name" "$bin/varstyle" train --config configs/demo.yaml --device cuda --run-dir "$work/$name" \
      "${common[@]}" train.steps="$steps" train.bf16=$bf16 train.channels_last=$channels_last
    [ ! -f "$work/$name/metrics.jsonl" ] || last_metrics "$name" "$work/$name"
  done
done

# --- 2. Resume --------------------------------------------------------------------------------
say "2. resume: $((steps / 2)) steps, then --resume auto to $steps"
run="$work/resume"
rm -rf "$run"
check resume-first "$bin/varstyle" train --config configs/demo.yaml --device cuda --run-dir "$run" "${common[@]}" train.steps=$((steps / 2))
check resume-second "$bin/varstyle" train --config configs/demo.yaml --device cuda --run-dir "$run" --resume auto \
  --allow-change train.steps "${common[@]}" train.steps="$steps"
grep -h "resumed from" "$work/resume-second.log" || { status=1; echo "FAIL resume: no 'resumed from' line"; }
[ ! -f "$run/metrics.jsonl" ] || last_metrics resume "$run"

# --- 3. Stylize, sample, eval on the GPU -------------------------------------------------------
say "3. stylize, sample and eval on cuda"
model="$work/train-bf16_false-cl_false"
check stylize "$bin/varstyle" stylize --device cuda --checkpoint "$model" --content "$work/content.ppm" \
  --style "$work/style.ppm" --size 96 --out "$work/stylized.png"
check sample "$bin/varstyle" sample --device cuda --checkpoint "$model" --content "$work/content.ppm" --size 96 \
  --count 4 --out "$work/samples.png"
rm -rf "$work/eval"
check eval "$bin/varstyle" eval --device cuda --config configs/eval.yaml --out "$work/eval" \
  eval.content="$work/content" eval.style="$work/style" eval.contents=2 eval.styles=2 eval.size=64 \
  "eval.methods=[\"vst:$model\", gatys, identity]" eval.gatys_steps=20
[ ! -f "$work/eval/summary.md" ] || cat "$work/eval/summary.md"
check bench-stylize "$bin/varstyle" bench stylize --device cuda --config configs/demo.yaml model.width=1 --size 256 --batch 8 --repeats 20
tail -n 1 "$work/bench-stylize.log" | tee -a "$results"

# --- 4. Training benchmark against the PyTorch step --------------------------------------------
# The adain twin of experiments/bench/train_python.py at full width, 256x256, batch 8, 1 GPU.
say "4. training throughput: varstyle vs the PyTorch step (adain, width 1, 256x256, batch 8)"
bench_steps=$(( steps * 3 ))
source experiments/bench/twin_overrides.sh   # the model, loss and optimiser of the twin
twin_overrides 1 0.0001
bench=("${twin[@]}" data.batch_size=8 train.steps=$bench_steps train.log_every=$steps
  dist.backend=nccl train.threads=4)
# 256x256 needs images of at least 256: a second synthetic set at that size.
if [ ! -f "$work/content256/manifest.json" ]; then
  "$bin/varstyle-prep" synthetic --no-progress --kind content --count 64 --size 256 --output "$work/content256" >/dev/null
  "$bin/varstyle-prep" synthetic --no-progress --kind style --count 16 --size 256 --output "$work/style256" >/dev/null
fi
bench+=(data.content="$work/content256" data.style="$work/style256" data.size=256)
for mode in "false false" "true true"; do
  read -r bf16 channels_last <<<"$mode"
  name="bench-bf16_${bf16}-cl_${channels_last}"
  rm -rf "$work/$name"
  check "$name" "$bin/varstyle" train --config configs/demo.yaml --device cuda --run-dir "$work/$name" \
    "${bench[@]}" train.bf16=$bf16 train.channels_last=$channels_last
  flags=(); [ "$bf16" = true ] && flags+=(--bf16); [ "$channels_last" = true ] && flags+=(--channels-last)
  check "python-$name" "$python" experiments/bench/train_python.py --device cuda --width 1 --size 256 --batch 8 \
    --lr 0.0001 --steps $((bench_steps - steps)) --warmup "$steps" --threads 4 "${flags[@]}"
  [ -f "$work/$name/metrics.jsonl" ] && [ -s "$work/python-$name.log" ] &&
    "$python" - "$name" "$work/$name/metrics.jsonl" "$work/python-$name.log" <<'PY' | tee -a "$results"
import json, statistics, sys
name, metrics, python_log = sys.argv[1:4]
windows = [json.loads(l) for l in open(metrics) if l.strip()][1:]   # the first window holds the warm-up
ours = statistics.median(w["images_per_s"] for w in windows)
theirs = json.loads(open(python_log).read().strip().splitlines()[-1])["images_per_s"]
print(json.dumps({"check": name, "varstyle_images_per_s": round(ours, 1), "pytorch_images_per_s": theirs,
                  "varstyle_over_pytorch": round(ours / theirs, 3), "windows": len(windows)}))
PY
done

say "summary"
cat "$results"
if (( status )); then echo "gpu_check: some checks FAILED (logs in $work)"; else echo "gpu_check: every check passed (logs in $work)"; fi
exit "$status"
