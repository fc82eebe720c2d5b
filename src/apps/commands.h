// The `varstyle` subcommands. Each add_* registers its flags on the parent app and returns the
// function that runs it once parsing succeeded; main only dispatches.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace varstyle {

class MpiSession;

// Prints `error` once, naming this rank, and returns its exit code; with several ranks it ends
// the whole job instead (MPI_Abort), so no rank is left waiting in a collective.
int fail_job(const char* command, const std::exception& error, const MpiSession& session);

struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

// Registers --device (auto | cpu | cuda | cuda:N, default `device`'s value) on `command`; a value
// outside those is a parse error naming the option (exit 2). dist/device_choice.h picks the device.
CLI::Option* add_device_option(CLI::App& command, std::string& device);

// Registers --bf16 (a flag) on `command`: the networks run under bf16 autocast on the chosen device
// (nets/autocast_scope.h autocast_forward); log_bf16_choice says whether the CPU has native bf16.
CLI::Option* add_bf16_option(CLI::App& command, bool& bf16);

Command add_config_command(CLI::App& parent);  // varstyle config: resolve, validate, print/write
Command add_info_command(CLI::App& parent);    // varstyle info: versions, devices
Command add_bench_command(CLI::App& parent);   // varstyle bench reader | stylize | allreduce
Command add_train_command(CLI::App& parent);   // varstyle train: data-parallel training (MPI)
Command add_stylize_command(CLI::App& parent); // varstyle stylize: one image with a checkpoint
Command add_sample_command(CLI::App& parent);  // varstyle sample: new styles from the prior
Command add_eval_command(CLI::App& parent);    // varstyle eval: methods compared on the same pairs
Command add_sweep_command(CLI::App& parent);   // varstyle sweep: grid/random search, job arrays
Command add_explore_command(CLI::App& parent); // varstyle explore: the latent explorer (a web page)

}  // namespace varstyle
