// Running a sweep: the task list written once (DIR/tasks.json), each task trained then evaluated
// in DIR/task-<i>/ (locally one after another, or as one Slurm job array with a % limit), and the
// collected, ranked results (DIR/results.csv, results.md, plot-<key>.png).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "sweep/sweep_spec.h"

namespace varstyle {

void write_sweep(const std::filesystem::path& dir, const SweepSpec& spec, const std::vector<SweepTask>& tasks);
// Trains and evaluates task `index` of the sweep in `dir`; returns 0 when both succeeded.
int run_sweep_task(const std::filesystem::path& dir, int64_t index);
// Submits the job array (slurm/sweep_task.sbatch); returns the job id.
std::string submit_sweep(const std::filesystem::path& dir);
// Writes the ranked table and one plot per swept key; returns the Markdown table.
std::string collect_sweep(const std::filesystem::path& dir);

}  // namespace varstyle
