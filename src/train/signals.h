// SIGTERM and SIGUSR1 (Slurm's warning before preemption or the time limit) ask the trainer to
// checkpoint at the next step boundary and exit with ExitCode::kPreempted, which job scripts use
// to requeue.
#pragma once

namespace varstyle {

// `varstyle train` installs them before anything else, so a signal during start-up waits for the
// first step boundary instead of killing the process.
void install_stop_signal_handlers();
int stop_signal();           // 0 while none arrived, else the signal number
void clear_stop_signal();

}  // namespace varstyle
