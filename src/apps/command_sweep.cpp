// varstyle sweep --spec FILE [--dry-run | --local | --submit] [--dir DIR]; varstyle sweep
// run-task --dir DIR --index I (what each array task runs); varstyle sweep collect DIR.
#include <fmt/format.h>

#include "apps/commands.h"
#include "core/error.h"
#include "sweep/sweep_runner.h"

namespace varstyle {

Command add_sweep_command(CLI::App& parent) {
  struct Options {
    std::string spec, dir, collect_dir;
    bool dry_run = false, local = false, submit = false;
    int64_t index = -1;
  };
  auto o = std::make_shared<Options>();
  Command command;
  command.app = parent.add_subcommand("sweep", "grid or random search over config keys, as a Slurm job array or locally");
  command.app->add_option("--spec", o->spec, "sweep spec (experiments/sweeps/*.yaml)");
  command.app->add_option("--dir", o->dir, "sweep folder (default sweeps/<name>)");
  auto* modes = command.app->add_option_group("mode");
  modes->add_flag("--dry-run", o->dry_run, "print the tasks and write nothing");
  modes->add_flag("--local", o->local, "run every task here, one after another");
  modes->add_flag("--submit", o->submit, "submit one Slurm job array (% limit from the spec)");
  modes->require_option(0, 1);
  auto* run_task = command.app->add_subcommand("run-task", "train and evaluate one task (used by the job array)");
  run_task->add_option("--dir", o->dir, "sweep folder")->required();
  run_task->add_option("--index", o->index, "task index")->required();
  auto* collect = command.app->add_subcommand("collect", "rank the tasks' results and plot each swept key");
  collect->add_option("dir", o->collect_dir, "sweep folder")->required();
  command.run = [o, run_task, collect] {
    if (run_task->parsed()) return run_sweep_task(o->dir, o->index);
    if (collect->parsed()) {
      fmt::print("{}\nwrote {}/results.csv, results.md and plot-<key>.png\n", collect_sweep(o->collect_dir), o->collect_dir);
      return 0;
    }
    if (o->spec.empty()) throw ConfigError("sweep: --spec FILE is needed (or the run-task / collect subcommands)");
    const SweepSpec spec = SweepSpec::load(o->spec);
    const auto tasks = expand(spec);
    const std::string dir = o->dir.empty() ? "sweeps/" + spec.name : o->dir;
    if (o->dry_run || (!o->local && !o->submit)) {
      for (const auto& task : tasks) fmt::print("task {}: {}\n", task.index, fmt::join(task.overrides(), " "));
      fmt::print("{} task(s); --local runs them here, --submit as one job array (at most {} at once)\n", tasks.size(),
                 spec.concurrency);
      return 0;
    }
    write_sweep(dir, spec, tasks);
    if (o->submit) {
      fmt::print("submitted job array {} ({} tasks) for {}; afterwards: varstyle sweep collect {}\n", submit_sweep(dir),
                 tasks.size(), dir, dir);
      return 0;
    }
    int failed = 0;
    for (const auto& task : tasks) {
      fmt::print("== task {}/{}: {}\n", task.index + 1, tasks.size(), fmt::join(task.overrides(), " "));
      failed += run_sweep_task(dir, task.index) != 0;
    }
    fmt::print("{}\n", collect_sweep(dir));
    return failed == 0 ? 0 : 1;
  };
  return command;
}

}  // namespace varstyle
