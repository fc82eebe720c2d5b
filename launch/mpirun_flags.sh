# The mpirun flags every script starts local ranks with (source it): more ranks than cores
# allowed, and root allowed where the script runs as root (containers, the local Slurm).
# src/sweep/sweep_runner.cpp starts a sweep task's ranks with the same two.
# shellcheck shell=bash
mpirun_flags=(--oversubscribe)
if [ "$(id -u)" -eq 0 ]; then mpirun_flags+=(--allow-run-as-root); fi
