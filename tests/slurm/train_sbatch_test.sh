#!/usr/bin/env bash
# slurm/train.sbatch and slurm/eval.sbatch on a real single-node Slurm (launch/local_cluster.sh):
# a 2-rank CPU training with its chained evaluation; a job signalled mid-run checkpoints,
# requeues, resumes and ends with the same final weights as an uninterrupted run; an override
# full of shell metacharacters arrives literally. Exits 77 (skip) without root or Slurm.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root for the local cluster"; exit 77; }
command -v slurmctld >/dev/null && command -v munged >/dev/null || { echo "skip: slurm-wlm/munge not installed"; exit 77; }
[ -x "$repo/build/bin/varstyle" ] || { echo "build/bin/varstyle is missing: build first"; exit 1; }

work="$(mktemp -d /tmp/varstyle-sbatch-XXXXXX)"
chmod 755 "$work"  # munged refuses a socket below a folder others cannot search
state="$work/slurm"
export VARSTYLE_SLURM_PORT="${VARSTYLE_SLURM_SBATCH_TEST_PORT:-6947}"
cleanup() {
  local status=$?
  if [ "$status" -ne 0 ]; then
    for f in "$work"/*.out; do [ -f "$f" ] && { echo "== $f"; tail -n 30 "$f"; }; done
  fi
  bash "$repo/launch/local_cluster.sh" stop --state-dir "$state" >/dev/null 2>&1 || true
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

bash "$repo/launch/local_cluster.sh" start --state-dir "$state" >/dev/null
source "$state/env.sh"
cd "$repo"

for kind in content style; do
  build/bin/varstyle-prep synthetic --no-progress --kind "$kind" --count 24 --size 20 --output "$work/$kind" >/dev/null
done
cat > "$work/tiny.yaml" <<YAML
data: {content: $work/content, style: $work/style, batch_size: 2, size: 16, prefetch: 2}
model: {kind: adain, width: 0.0625}
loss: {content: 1.0, style_gram: 0.0, style_moments: 1.0}
optim: {lr: 0.001}
train: {steps: 6, seed: 3, log_every: 2, ckpt_every: 3, threads: 1, grid_size: 0}
YAML
cat > "$work/eval.yaml" <<YAML
eval: {content: $work/content, style: $work/style, size: 32, contents: 2, styles: 2, network_width: 0.0625, timing_repeats: 1}
YAML

# Polls until job $1 reaches a final state; prints it.
wait_job() {
  local job=$1 deadline=$((SECONDS + ${2:-180})) state=""
  while [ $SECONDS -lt $deadline ]; do
    state="$(scontrol show job "$job" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p')"
    case "$state" in COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY) echo "$state"; return ;; esac
    sleep 1
  done
  echo "TIMEOUT_WAITING($state)"
}

# 1. Training on 2 ranks, evaluation chained with afterok.
job=$(VARSTYLE_RUN_DIR="$work/run" sbatch --parsable -n 2 --output="$work/train-%j.out" slurm/train.sbatch "$work/tiny.yaml")
ejob=$(VARSTYLE_EVAL_DIR="$work/eval" sbatch --parsable -n 2 --dependency=afterok:"$job" --output="$work/eval-%j.out" \
  slurm/eval.sbatch "$work/eval.yaml" "eval.methods=[\"trained:$work/run\", identity]")
[ "$(wait_job "$job")" = COMPLETED ] || fail "training job $job did not complete"
[ -f "$work/run/checkpoints/step-0000006/DONE" ] || fail "no final checkpoint"
grep -q "2 rank(s)" "$work"/train-"$job".out || fail "training did not run on 2 ranks"
[ "$(wait_job "$ejob")" = COMPLETED ] || fail "evaluation job $ejob did not complete"
[ "$(grep -c '^trained,' "$work/eval/metrics.csv")" -eq 4 ] || fail "metrics.csv lacks the 4 pairs of the trained model"
[ -f "$work/eval/report.html" ] || fail "no report.html"
echo "ok: 2-rank training + chained evaluation"

# 2. Preemption: USR1 to the batch script -> checkpoint, exit 75, requeue, resume, finish.
settings=(train.steps=300 train.ckpt_every=50 train.log_every=50)
pjob=$(VARSTYLE_RUN_DIR="$work/preempted" sbatch --parsable -n 2 --output="$work/preempted-%j.out" \
  slurm/train.sbatch "$work/tiny.yaml" "${settings[@]}")
deadline=$((SECONDS + 120))
until [ -f "$work/preempted/checkpoints/step-0000050/DONE" ]; do
  [ $SECONDS -lt $deadline ] || fail "the first checkpoint never appeared"
  sleep 0.2
done
scancel --signal=USR1 --batch "$pjob"
[ "$(wait_job "$pjob" 240)" = COMPLETED ] || fail "the preempted job did not complete after its requeue"
restarts="$(scontrol show job "$pjob" | sed -n 's/.*Restarts=\([0-9]*\).*/\1/p')"
[ "${restarts:-0}" -ge 1 ] || fail "the job was not requeued (Restarts=$restarts)"
grep -q "resumed from" "$work"/preempted-"$pjob".out || fail "the second run did not resume"
mpirun --allow-run-as-root --oversubscribe -np 2 build/bin/varstyle train --config "$work/tiny.yaml" \
  --run-dir "$work/straight" "${settings[@]}" >"$work/straight.out" 2>&1 || fail "the uninterrupted run failed"
cmp "$work/straight/checkpoints/step-0000300/model.h5" "$work/preempted/checkpoints/step-0000300/model.h5" ||
  fail "preempted + resumed weights differ from the uninterrupted run"
echo "ok: preemption -> checkpoint -> requeue -> resume, identical final weights (restarts: $restarts)"

# 3. Values are data: an override full of shell metacharacters arrives literally and runs nothing.
bad='train.grid_size=$(touch '"$work"'/pwned); `touch '"$work"'/pwned2` "x y"'
bjob=$(VARSTYLE_RUN_DIR="$work/literal" sbatch --parsable -n 1 --output="$work/literal-%j.out" slurm/train.sbatch "$work/tiny.yaml" "$bad")
wait_job "$bjob" >/dev/null
[ ! -e "$work/pwned" ] && [ ! -e "$work/pwned2" ] || fail "an override value was executed"
grep -qF 'expected an integer, got '"'"'$(touch' "$work"/literal-"$bjob".out || fail "the override did not arrive literally"
echo "ok: shell metacharacters arrive literally"
# 4. A 4-task sweep as one job array (at most 2 at once), then the collected, ranked table.
cat > "$work/sweep.yaml" <<YAML
name: ci
config: $work/tiny.yaml
eval: $work/eval.yaml
method: m
concurrency: 2
ranks: 1
overrides: [train.steps=2]
eval_overrides: [eval.gatys_steps=1, eval.contents=1, eval.styles=1]
keys:
  optim.lr: ['0.001', '0.002']
  loss.style_moments: ['1', '2']
YAML
submitted="$(build/bin/varstyle sweep --spec "$work/sweep.yaml" --submit --dir "$work/sweep")"
ajob="$(sed -n 's/^submitted job array \([0-9]*\).*/\1/p' <<< "$submitted")"
[ -n "$ajob" ] || fail "no job array id in: $submitted"
deadline=$((SECONDS + 240))
while squeue -h -j "$ajob" 2>/dev/null | grep -q .; do
  [ $SECONDS -lt $deadline ] || fail "the job array did not finish"
  sleep 1
done
for i in 0 1 2 3; do
  [ -f "$work/sweep/task-000$i/eval/summary.csv" ] || fail "sweep task $i left no evaluation"
done
build/bin/varstyle sweep collect "$work/sweep" >/dev/null
[ "$(grep -c ',ok$' "$work/sweep/results.csv")" -eq 4 ] || fail "the collected table does not rank 4 tasks"
[ -f "$work/sweep/plot-optim.lr.png" ] || fail "no plot per swept key"
echo "ok: a 4-task sweep ran as one job array and was collected"
echo "1 passed, 0 failed"
