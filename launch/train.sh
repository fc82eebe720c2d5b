#!/usr/bin/env bash
# Training without Slurm: an mpirun wrapper. launch/train.sh [-n RANKS] CONFIG [section.key=value ...]
# Ranks default to 2; each rank gets cores / ranks threads; the environment the trainer reads
# (OMP_NUM_THREADS, HDF5_USE_FILE_LOCKING, CUDA_VISIBLE_DEVICES) is passed through. Exits with the
# trainer's code: 75 after SIGTERM or SIGUSR1 (to this script or to mpirun) made it checkpoint.
set -euo pipefail
cd "$(dirname "$0")/.."
ranks=2
if [ "${1:-}" = "-n" ]; then ranks="$2"; shift 2; fi
[ $# -ge 1 ] || { echo "usage: launch/train.sh [-n RANKS] CONFIG [section.key=value ...]" >&2; exit 2; }
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-$(( $(nproc) / ranks > 0 ? $(nproc) / ranks : 1 ))}"
export HDF5_USE_FILE_LOCKING="${HDF5_USE_FILE_LOCKING:-FALSE}"
flags=(--oversubscribe --bind-to none -x OMP_NUM_THREADS -x HDF5_USE_FILE_LOCKING)
[ -n "${CUDA_VISIBLE_DEVICES:-}" ] && flags+=(-x CUDA_VISIBLE_DEVICES)
[ "$(id -u)" -eq 0 ] && flags+=(--allow-run-as-root)
config="$1"
shift
# mpirun exits with 1 when it is signalled itself, whatever the ranks did: rank 0 writes the job's
# code (75 after a checkpointed stop) to VARSTYLE_EXIT_CODE_FILE, and that code is the answer.
code_file="$(mktemp)"
trap 'rm -f "$code_file"' EXIT
export VARSTYLE_EXIT_CODE_FILE="$code_file"
flags+=(-x VARSTYLE_EXIT_CODE_FILE)
mpirun "${flags[@]}" -np "$ranks" build/bin/varstyle train --config "$config" "train.threads=${OMP_NUM_THREADS}" "$@" &
child=$!
# TERM or USR1 to this script: ask the ranks to checkpoint at the next step boundary. mpirun
# passes USR1 on to the ranks as it is; a TERM it would follow with a kill.
forward() { interrupted=1; kill -USR1 "$child" 2>/dev/null || true; }
trap forward TERM USR1
while :; do  # a trapped signal interrupts `wait`: wait again
  interrupted=0
  wait "$child" && status=0 || status=$?
  [ "$interrupted" = 1 ] || break
done
[ -s "$code_file" ] && status="$(cat "$code_file")"
exit "$status"
