# Shared by the sbatch scripts: how to start ranks inside an allocation. srun with PMIx where
# Slurm offers it, mpirun inside the allocation otherwise; VARSTYLE_LAUNCHER=srun|mpirun forces one.
# shellcheck shell=bash

# The number of tasks in the allocation the job holds now, from SLURM_TASKS_PER_NODE ("2(x3),1"
# is 2+2+2+1). A requeued job that was resized while held (scontrol update JobId=J NumNodes=1
# NumTasks=1) still carries its submission's SLURM_NTASKS, and srun would ask for that many tasks
# and be refused ("More processors requested than permitted"); the per-node list is the new one.
allocation_tasks() {
  local total=0 part
  local -a parts
  IFS=, read -ra parts <<<"$SLURM_TASKS_PER_NODE"
  for part in "${parts[@]}"; do
    if [[ $part =~ ^([0-9]+)\(x([0-9]+)\)$ ]]; then
      total=$((total + BASH_REMATCH[1] * BASH_REMATCH[2]))
    elif [[ $part =~ ^[0-9]+$ ]]; then
      total=$((total + part))
    else
      return 1
    fi
  done
  echo "$total"
}

# Makes SLURM_NTASKS match the allocation when they differ (see allocation_tasks), saying so.
match_allocation() {
  [ -n "${SLURM_TASKS_PER_NODE:-}" ] || return 0
  local tasks
  tasks="$(allocation_tasks)" || { echo "varstyle: cannot read SLURM_TASKS_PER_NODE='$SLURM_TASKS_PER_NODE'" >&2; exit 2; }
  if [ -n "${SLURM_NTASKS:-}" ] && [ "$SLURM_NTASKS" != "$tasks" ]; then
    echo "varstyle: job ${SLURM_JOB_ID:-?} was submitted with $SLURM_NTASKS task(s) and now holds $tasks" \
      "(${SLURM_JOB_NUM_NODES:-?} node(s)); starting $tasks rank(s)"
  fi
  export SLURM_NTASKS="$tasks" SLURM_NPROCS="$tasks"
}

varstyle_launcher() {
  local choice="${VARSTYLE_LAUNCHER:-auto}"
  match_allocation
  if [ "$choice" = auto ]; then
    if srun --mpi=list 2>&1 | grep -q pmix; then choice=srun; else choice=mpirun; fi
  fi
  case "$choice" in
    srun) launcher=(srun --mpi=pmix --kill-on-bad-exit=1) ;;
    mpirun)
      source launch/mpirun_flags.sh
      launcher=(mpirun "${mpirun_flags[@]}" -x HDF5_USE_FILE_LOCKING -x OMP_NUM_THREADS)
      ;;
    *) echo "VARSTYLE_LAUNCHER=$choice: expected srun, mpirun or auto" >&2; exit 2 ;;
  esac
}

# Shared parallel file systems and HDF5's file locks do not mix.
export HDF5_USE_FILE_LOCKING="${HDF5_USE_FILE_LOCKING:-FALSE}"
