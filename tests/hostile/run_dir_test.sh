#!/usr/bin/env bash
# Hostile inputs to `varstyle train` (issue 11, sections 1 and 3): values that need the data or
# the model to be found wrong are refused before the run folder exists; stop signals give 75
# through launch/train.sh whether the wrapper or mpirun is signalled, and during start-up too;
# a resume refuses changed settings (unless --allow-change) and a rank count its global batch does
# not divide over; a second
# training into a folder in use is refused naming the holder, and a kill -9 leaves no lock.
# Every refusal: exit 2, the culprit named, nothing written or lost.
# Usage: run_dir_test.sh BUILD_BIN_DIR SOURCE_DIR
set -euo pipefail
bin="$1" src="$2"
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
varstyle="$bin/varstyle"
mpirun=(mpirun --allow-run-as-root --oversubscribe)
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok   $*"; }

for kind in content style; do
  "$bin/varstyle-prep" synthetic --no-progress --kind "$kind" --count 12 --size 20 --output "$kind" >/dev/null
done
cat > tiny.yaml <<YAML
data: {content: $work/content, style: $work/style, batch_size: 2, size: 16, prefetch: 2}
model: {kind: adain, width: 0.0625}
loss: {content: 1.0, style_gram: 0.0, style_moments: 1.0}
optim: {lr: 0.001}
train: {steps: 4, seed: 3, log_every: 2, ckpt_every: 2, threads: 1, grid_size: 0}
YAML
long=(train.steps=100000 train.ckpt_every=20 train.log_every=1000)

# expect_refusal NAME CULPRIT RUN_DIR COMMAND...: exit 2, CULPRIT in the message.
expect_refusal() {
  local name=$1 culprit=$2 run=$3 status=0
  shift 3
  "$@" >"$work/out.log" 2>&1 || status=$?
  if [ "$status" -ne 2 ]; then fail "$name: exit $status, expected 2: $(tail -n 3 "$work/out.log")"; return 1; fi
  if ! grep -qF -- "$culprit" "$work/out.log"; then fail "$name: the message does not name '$culprit': $(grep error "$work/out.log")"; return 1; fi
  return 0
}
# waits until FILE exists (or 60 s)
wait_for() { local deadline=$((SECONDS + 60)); until [ -e "$1" ]; do [ $SECONDS -lt $deadline ] || return 1; sleep 0.1; done; }
fingerprint() { (cd "$1" && find . -type f ! -name train.lock -print0 | sort -z | xargs -0 md5sum); }

# --- 1. Refuse before writing: each needs the data, the weight files or the model to be found wrong.
refuse_fresh() {  # NAME CULPRIT OVERRIDES...
  local name=$1 culprit=$2
  shift 2
  rm -rf run
  expect_refusal "$name" "$culprit" run "$varstyle" train --config tiny.yaml --run-dir run "$@" || return 0
  if [ -e run ]; then fail "$name: the run folder was created"; else ok "$name: exit 2 naming $culprit, nothing written"; fi
}
refuse_fresh "data.size above the image size" "data.size: 32 is larger than the 20x20 images" data.size=32
refuse_fresh "batch above the dataset" "data.batch_size: 13" data.batch_size=13
refuse_fresh "unknown style tap" "loss.style_layers: 'relu9_9'" "loss.style_layers=[relu9_9]" loss.style_gram=1
refuse_fresh "empty content folder key" "data.content: is empty" "data.content="
mkdir -p empty_folder
refuse_fresh "empty content folder" "data.content: $work/empty_folder/manifest.json" "data.content=$work/empty_folder"
refuse_fresh "missing weight file" "model.encoder_weights: $work/missing.h5: no such file" "model.encoder_weights=$work/missing.h5"
refuse_fresh "beta1 of 1" "optim.beta1: 1 must be below 1" optim.beta1=1
refuse_fresh "size the decoder cannot give back" "data.size: 18 comes back" data.size=18
refuse_fresh "absurd linear_dim" "model.linear_dim: 256" model.kind=linear model.linear_dim=256
# Per rank: 2 ranks x 7 = 14 images a step, 12 held; every rank refuses, none hangs.
rm -rf run
if expect_refusal "batch above the dataset on 2 ranks" "7 image(s) per rank x 2 rank(s) = 14" run \
    timeout 60 "${mpirun[@]}" -np 2 "$varstyle" train --config tiny.yaml --run-dir run data.batch_size=7; then
  [ -e run ] && fail "2-rank batch: the run folder was created" || ok "2-rank batch above the dataset: exit 2 on every rank"
fi
# Ranks started with different settings: named, exit 2, nothing written.
rm -rf run
if expect_refusal "ranks with different settings" "rank 1 was started with a different configuration" run \
    timeout 60 "${mpirun[@]}" -np 1 "$varstyle" train --config tiny.yaml --run-dir run : \
    -np 1 "$varstyle" train --config tiny.yaml --run-dir run optim.lr=0.002; then
  [ -e run ] && fail "different settings: the run folder was created" || ok "ranks with different settings: exit 2"
fi

# --- 3a. SIGTERM to launch/train.sh, or to the mpirun it started: checkpoint, exit 75.
stop_wrapper() {  # NAME TARGET(wrapper|mpirun) RUN
  local name=$1 target=$2 run=$3 status=0
  bash "$src/launch/train.sh" -n 2 "$work/tiny.yaml" --run-dir "$run" --resume auto "${long[@]}" >"$run.log" 2>&1 &
  local wrapper=$!
  pids+=("$wrapper")
  local newest_before newest
  newest_before=$(ls "$run/checkpoints" 2>/dev/null | tail -n 1 || true)
  local deadline=$((SECONDS + 60))
  until newest=$(ls "$run/checkpoints" 2>/dev/null | tail -n 1) && [ -n "$newest" ] && [ "$newest" != "$newest_before" ] &&
        [ -f "$run/checkpoints/$newest/DONE" ]; do
    [ $SECONDS -lt $deadline ] || { fail "$name: no checkpoint appeared"; return; }
    sleep 0.1
  done
  if [ "$target" = mpirun ]; then kill -TERM "$(pgrep -P "$wrapper" mpirun)"; else kill -TERM "$wrapper"; fi
  wait "$wrapper" || status=$?
  if [ "$status" -eq 75 ] && grep -q "stop signal: checkpointing" "$run.log"; then ok "$name: exit 75 after a checkpoint"
  else fail "$name: exit $status, expected 75: $(tail -n 3 "$run.log")"; fi
}
stop_wrapper "SIGTERM to launch/train.sh" wrapper "$work/two"
stop_wrapper "SIGTERM to its mpirun" mpirun "$work/two"

# --- 3d. A rank count the run's global batch (2 per rank x 2 ranks) does not divide: exit 2, nothing lost.
before=$(fingerprint two)
expect_refusal "resume on 3 ranks" "the run's global batch 4 (2 per rank x 2 rank(s)) does not divide over 3 rank(s); run on 1, 2, 4 rank(s)" two \
  timeout 60 "${mpirun[@]}" -np 3 "$varstyle" train --config tiny.yaml --run-dir two --resume auto "${long[@]}" &&
  ok "resume of a 2-rank run on 3 ranks: exit 2"
[ "$(fingerprint two)" = "$before" ] || fail "a refused resume changed the run folder"

# --- 3b. A signal during start-up (handlers installed, loop not started): deferred, exit 75.
rm -rf early
"$varstyle" train --config tiny.yaml --run-dir early "${long[@]}" >early.log 2>&1 &
pid=$!
pids+=("$pid")
deadline=$((SECONDS + 30))
until mask=$(sed -n 's/^SigCgt:\s*//p' /proc/$pid/status 2>/dev/null) && [ -n "$mask" ] && (( 0x$mask & 0x200 )); do
  [ $SECONDS -lt $deadline ] || break
  sleep 0.005
done
kill -USR1 "$pid"
status=0
wait "$pid" || status=$?
if [ "$status" -eq 75 ] && [ -f early/checkpoints/step-0000000/DONE ]; then ok "SIGUSR1 during start-up: exit 75 with a checkpoint"
else fail "SIGUSR1 during start-up: exit $status, expected 75 and a checkpoint at step 0: $(tail -n 3 early.log)"; fi

# --- 3c. A run folder is continued only with --resume, and with its own settings.
rm -rf run
"$varstyle" train --config tiny.yaml --run-dir run >train.log 2>&1 || fail "the short run failed: $(tail -n 3 train.log)"
before=$(fingerprint run)
expect_refusal "training again without --resume" "holds a run with checkpoints up to step 4" run \
  "$varstyle" train --config tiny.yaml --run-dir run && ok "a second training into a finished run without --resume: exit 2"
expect_refusal "resume with changed settings" "data.batch_size (2 -> 3), optim.lr (0.001 -> 0.002)" run \
  "$varstyle" train --config tiny.yaml --run-dir run --resume auto optim.lr=0.002 data.batch_size=3 &&
  ok "resume with changed optim.lr and data.batch_size: exit 2 naming both"
expect_refusal "resume allowing only one change" "data.batch_size (2 -> 3)" run \
  "$varstyle" train --config tiny.yaml --run-dir run --resume auto --allow-change optim.lr optim.lr=0.002 data.batch_size=3 &&
  ok "--allow-change optim.lr does not allow data.batch_size"
expect_refusal "--allow-change with a typo" "'optim.lrr' is not a configuration key (did you mean 'optim.lr'?)" run \
  "$varstyle" train --config tiny.yaml --run-dir run --resume auto --allow-change optim.lrr && ok "--allow-change of an unknown key: exit 2"
[ "$(fingerprint run)" = "$before" ] || fail "a refused start changed the run folder"
status=0
"$varstyle" train --config tiny.yaml --run-dir run --resume auto --allow-change optim.lr --allow-change train.steps \
  optim.lr=0.002 train.steps=6 >resume.log 2>&1 || status=$?
if [ "$status" -eq 0 ] && grep -q "lr: 0.002" run/config.yaml && [ -f run/checkpoints/step-0000006/DONE ] &&
   grep -q '"key":"optim.lr","before":"0.001","after":"0.002"' run/config_changes.jsonl &&
   grep -q '"key":"train.steps"' run/config_changes.jsonl; then
  ok "allowed changes: resumed, config.yaml updated, each change in config_changes.jsonl"
else
  fail "allowed changes: exit $status: $(tail -n 3 resume.log); $(cat run/config_changes.jsonl 2>/dev/null)"
fi
status=0
"$varstyle" train --config tiny.yaml --run-dir run --resume auto --allow-change train.steps optim.lr=0.002 train.steps=8 \
  dist.bucket_mb=1 dist.first_bucket_mb=0.5 >resume.log 2>&1 || status=$?
if [ "$status" -eq 0 ] && [ -f run/checkpoints/step-0000008/DONE ] &&
   grep -q '"key":"dist.bucket_mb","before":"5","after":"1"' run/config_changes.jsonl; then
  ok "the bucket sizes change freely on resume (logged)"
else
  fail "bucket sizes on resume: exit $status: $(tail -n 3 resume.log); $(cat run/config_changes.jsonl 2>/dev/null)"
fi

# --- 3e. One training per run folder; the lock dies with its holder.
rm -rf locked
"$varstyle" train --config tiny.yaml --run-dir locked "${long[@]}" >holder.log 2>&1 &
holder=$!
pids+=("$holder")
wait_for locked/checkpoints/step-0000020/DONE || fail "the holder never checkpointed: $(tail -n 3 holder.log)"
config_before=$(md5sum <locked/config.yaml)
expect_refusal "a second training into a folder in use" "in use by pid $holder on $(hostname)" locked \
  "$varstyle" train --config tiny.yaml --run-dir locked --resume auto "${long[@]}" && ok "a second training: exit 2 naming the holder"
[ "$(md5sum <locked/config.yaml)" = "$config_before" ] || fail "the second training touched config.yaml"
kill -9 "$holder"
wait "$holder" 2>/dev/null || true
"$varstyle" train --config tiny.yaml --run-dir locked --resume auto "${long[@]}" >after.log 2>&1 &
pid=$!
pids+=("$pid")
deadline=$((SECONDS + 60))
until grep -q "resumed from" after.log 2>/dev/null || ! kill -0 "$pid" 2>/dev/null; do
  [ $SECONDS -lt $deadline ] || break
  sleep 0.1
done
kill -TERM "$pid" 2>/dev/null || true
status=0
wait "$pid" || status=$?
if [ "$status" -eq 75 ] && grep -q "resumed from" after.log; then ok "after a kill -9 of the holder, a resume takes the folder"
else fail "resume after kill -9: exit $status: $(tail -n 3 after.log)"; fi

[ "$failures" -eq 0 ] || { echo "$failures case(s) failed"; exit 1; }
echo "all cases passed"
