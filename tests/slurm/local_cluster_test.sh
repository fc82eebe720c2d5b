#!/usr/bin/env bash
# Tests launch/local_cluster.sh end to end: starts a single-node Slurm in a fresh temp state dir,
# runs a 2-task job, a 3-task array and a requeue-on-USR1 job, checks them, and always stops it.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo="$(pwd)"

fail() { echo "local_cluster_test: FAIL: $*" >&2; exit 1; }
skip() { echo "local_cluster_test: SKIP: $*" >&2; exit 77; }

[ "$(id -u)" -eq 0 ] || skip "needs root"
for tool in slurmctld slurmd sbatch munged; do
  command -v "$tool" >/dev/null || skip "$tool not installed (bash launch/install_deps.sh)"
done

state="$(mktemp -d /tmp/varstyle-slurm-test.XXXXXX)"
jobs_dir="$state/jobs"
mkdir -p "$jobs_dir"
# A port of its own, so the test does not collide with a local cluster someone left running.
export VARSTYLE_SLURM_PORT="${VARSTYLE_SLURM_TEST_PORT:-6927}"
cluster=(bash "$repo/launch/local_cluster.sh")

cleanup() {
  local rc=$?
  if [ "$rc" -ne 0 ]; then
    for f in "$state"/log/*.log; do
      [ -f "$f" ] && { echo "---- tail of $f" >&2; tail -n 15 "$f" >&2; }
    done
  fi
  "${cluster[@]}" stop --state-dir "$state" >/dev/null 2>&1 || echo "local_cluster_test: stop failed" >&2
  rm -rf "$state"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

t0=$SECONDS
"${cluster[@]}" start --state-dir "$state" >/dev/null || fail "local_cluster.sh start failed"
[ -f "$state/env.sh" ] || fail "start wrote no $state/env.sh"
# shellcheck disable=SC1091
source "$state/env.sh"
[ "${SLURM_CONF:-}" = "$state/slurm.conf" ] || fail "env.sh sets SLURM_CONF='${SLURM_CONF:-}'"
"${cluster[@]}" status --state-dir "$state" >/dev/null || fail "status says down after start"
echo "local_cluster_test: cluster up in $((SECONDS - t0)) s"

field() {  # job, field name: prints the field from scontrol show job
  scontrol -o show job "$1" 2>/dev/null | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n1
}

# Waits until none of the given jobs is pending, running, requeued or completing.
wait_jobs() {  # timeout_s job...
  local timeout="$1" start=$SECONDS
  shift
  while [ -n "$(squeue -h -j "$(IFS=,; echo "$*")" -o %i 2>/dev/null)" ]; do
    ((SECONDS - start < timeout)) || { squeue >&2; fail "jobs $* not done after ${timeout}s"; }
    sleep 1
  done
}

expect_completed() {  # job
  local state_now exit_code
  state_now="$(field "$1" JobState)"
  exit_code="$(field "$1" ExitCode)"
  if [ "$state_now" != COMPLETED ] || [ "$exit_code" != 0:0 ]; then
    fail "job $1: JobState=$state_now ExitCode=$exit_code (want COMPLETED 0:0)"
  fi
}

# Requeue job: its batch script traps USR1 and requeues itself; its second run completes.
cat >"$jobs_dir/requeue.sh" <<EOF
#!/usr/bin/env bash
echo "run \${SLURM_RESTART_COUNT:-0}"
if [ "\${SLURM_RESTART_COUNT:-0}" -ge 1 ]; then echo "second run done"; exit 0; fi
trap 'echo "got USR1"; scontrol requeue \$SLURM_JOB_ID' USR1
touch "$jobs_dir/requeue.ready"
sleep 300 &
wait
sleep 60
EOF
requeue_job="$(sbatch --parsable -n 1 -D "$jobs_dir" -o requeue.out --open-mode=append \
  "$jobs_dir/requeue.sh")" || fail "sbatch (requeue job) failed"
two_task_job="$(sbatch --parsable -n 2 -D "$jobs_dir" -o two.out \
  --wrap 'srun --mpi=none -n 2 hostname')" || fail "sbatch -n 2 failed"
# shellcheck disable=SC2016  # expanded by the job, not here
array_job="$(sbatch --parsable --array=0-2 -D "$jobs_dir" -o 'array_%a.out' \
  --wrap 'echo task $SLURM_ARRAY_TASK_ID')" || fail "sbatch --array=0-2 failed"

start=$SECONDS
until [ -f "$jobs_dir/requeue.ready" ]; do
  ((SECONDS - start < 60)) || { squeue >&2; fail "requeue job $requeue_job did not start in 60s"; }
  sleep 1
done
scancel --signal=USR1 --batch "$requeue_job" || fail "scancel --signal=USR1 --batch failed"

wait_jobs 60 "$two_task_job" "$array_job"
expect_completed "$two_task_job"
[ "$(grep -c -x "$(hostname)" "$jobs_dir/two.out")" -eq 2 ] ||
  fail "2-task job output: $(cat "$jobs_dir/two.out" 2>&1)"
for i in 0 1 2; do
  expect_completed "${array_job}_$i"
  [ "$(cat "$jobs_dir/array_$i.out" 2>&1)" = "task $i" ] ||
    fail "array task $i output: $(cat "$jobs_dir/array_$i.out" 2>&1)"
done
echo "local_cluster_test: 2-task job and 3-task array ok ($((SECONDS - t0)) s)"

wait_jobs 90 "$requeue_job"
expect_completed "$requeue_job"
restarts="$(field "$requeue_job" Restarts)"
[ "${restarts:-0}" -ge 1 ] || fail "requeue job $requeue_job: Restarts=$restarts (want >= 1)"
grep -q "second run done" "$jobs_dir/requeue.out" ||
  fail "requeue job output: $(cat "$jobs_dir/requeue.out" 2>&1)"
echo "local_cluster_test: requeue on USR1 ok, Restarts=$restarts ($((SECONDS - t0)) s)"

"${cluster[@]}" stop --state-dir "$state" >/dev/null || fail "local_cluster.sh stop failed"
if "${cluster[@]}" status --state-dir "$state" >/dev/null 2>&1; then fail "status says up after stop"; fi
echo "local_cluster_test: PASS ($((SECONDS - t0)) s)"
