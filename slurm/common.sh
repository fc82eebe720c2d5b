# Shared by the sbatch scripts: how to start ranks inside an allocation. srun with PMIx where
# Slurm offers it, mpirun inside the allocation otherwise; VARSTYLE_LAUNCHER=srun|mpirun forces one.
# shellcheck shell=bash

varstyle_launcher() {
  local choice="${VARSTYLE_LAUNCHER:-auto}"
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
