#!/usr/bin/env bash
# The CPU build under AddressSanitizer and UndefinedBehaviorSanitizer (build/sanitize), then
#   1. configs/demo_wae.yaml on 2 MPI ranks past step 900, with its checkpoint pruning (the run
#      that crashed on CUDA between steps 800 and 850; docs/gpu.md), at the demo's size or --size, and
#   2. every GoogleTest case of the suite (the script-driven tests are left out: they train for
#      minutes, which the sanitizers make several times longer).
# The binaries are built first and the run made before the tests are built (the sanitized
# build of everything takes about 25 min on 2 cores).
# Any report stops the run that made it (halt_on_error) and this script then exits non-zero.
# LibTorch, MPI and the other libraries are not instrumented: what is checked is varstyle's code
# and what it hands to them. Leak checking is off: Open MPI and LibTorch keep allocations for the
# life of the process by design.
# Usage: launch/sanitize.sh [--steps N] [--size S] [--tests REGEX|none]
#   (defaults: 950 steps at the demo's 64x64, every test case; on 2 cores the sanitized run takes
#   about 45 min at 64 and a quarter of that with --size 32)
set -euo pipefail
cd "$(dirname "$0")/.."
steps=950 size=64 tests='^[A-Za-z0-9_]+\.'  # gtest cases are named Suite.Case; the script tests are not
while [ $# -gt 0 ]; do
  case "$1" in
    --steps) steps="$2"; shift 2 ;;
    --size) size="$2"; shift 2 ;;
    --tests) tests="$2"; shift 2 ;;
    *) echo "sanitize: unknown argument '$1' (see the usage at the top of $0)" >&2; exit 2 ;;
  esac
done
[[ "$steps" =~ ^[0-9]+$ ]] && (( steps >= 1 )) || { echo "sanitize: --steps $steps: a whole number of at least 1" >&2; exit 2; }
[[ "$size" =~ ^[0-9]+$ ]] && (( size >= 16 )) || { echo "sanitize: --size $size: a whole number of at least 16" >&2; exit 2; }

flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
# -g1: line numbers in the reports. RelWithDebInfo: -O2, so the run reaches step 900 in minutes.
VARSTYLE_BUILD_DIR=build/sanitize VARSTYLE_TARGETS="varstyle varstyle-prep" bash launch/build.sh -DVARSTYLE_BUILD_TESTS=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "-DCMAKE_CXX_FLAGS=$flags -g1" "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined" \
  "-DCMAKE_SHARED_LINKER_FLAGS=-fsanitize=address,undefined" "-DCMAKE_MODULE_LINKER_FLAGS=-fsanitize=address,undefined"

export ASAN_OPTIONS=detect_leaks=0:halt_on_error=1:detect_odr_violation=0:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
status=0

echo "== 1. configs/demo_wae.yaml on 2 ranks to step $steps at ${size}x$size under the sanitizers"
work=build/sanitize/wae-run
rm -rf "$work"
bin=build/sanitize/bin
"$bin/varstyle-prep" synthetic --no-progress --kind content --count 256 --size 72 --seed 1 --output "$work/content" >/dev/null
"$bin/varstyle-prep" synthetic --no-progress --kind style --count 64 --size 72 --seed 2 --output "$work/style" >/dev/null
source launch/mpirun_flags.sh
if mpirun "${mpirun_flags[@]}" -np 2 -x ASAN_OPTIONS -x UBSAN_OPTIONS "$bin/varstyle" train --config configs/demo_wae.yaml \
     --run-dir "$work/run" data.content="$work/content" data.style="$work/style" train.steps="$steps" data.size="$size" \
     train.ckpt_every=50 train.keep_last=2 train.log_every=50 >"$work/train.log" 2>&1; then
  echo "   reached step $steps: $(tail -n 1 "$work/run/metrics.jsonl" | cut -c1-120)"
else
  echo "   FAILED; the report:"; grep -B2 -A30 -m1 "Sanitizer\|runtime error" "$work/train.log" || tail -n 40 "$work/train.log"
  status=1
fi
if [ "$tests" != none ]; then
  echo "== 2. the test cases under the sanitizers"
  VARSTYLE_BUILD_DIR=build/sanitize bash launch/build.sh
  (cd build/sanitize && ctest --output-on-failure --parallel "${VARSTYLE_TEST_JOBS:-2}" --timeout 1200 -R "$tests") || status=1
fi

[ "$status" = 0 ] && echo "== sanitize: no reports" || echo "== sanitize: reports above"
exit "$status"
