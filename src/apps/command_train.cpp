// varstyle train --config FILE [--run-dir DIR] [--resume auto [--allow-change KEY ...]] [--device D] [section.key=value ...]: starts MPI
// (mpirun, srun, or a single process), loads the config and runs the trainer. An error on any
// rank is printed once by that rank, naming it, and ends the whole job (MPI_Abort); a refusal
// before the run starts is agreed by every rank, printed by rank 0, and each exits with 2.
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <filesystem>

#include <c10/util/Exception.h>

#include <fmt/format.h>

#include "apps/commands.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/logging.h"
#include "dist/consistency.h"
#include "dist/mpi_session.h"
#include "train/signals.h"
#include "train/trainer.h"

namespace varstyle {

int fail_job(const char* command, const std::exception& e, const MpiSession& session) {
  // Every rank raised it together: rank 0 prints it and all exit with its code, no abort needed.
  if (const auto* agreed = dynamic_cast<const AgreedError*>(&e)) {
    if (session.rank() == 0) fmt::print(stderr, "varstyle {}: error on {}: {}\n", command, agreed->found_on(), e.what());
    return static_cast<int>(agreed->code());
  }
  const auto* error = dynamic_cast<const Error*>(&e);
  const auto* torch_error = dynamic_cast<const c10::Error*>(&e);
  const int code = static_cast<int>(error ? error->code() : ExitCode::kFailure);
  fmt::print(stderr, "varstyle {}: error on {}: {}\n", command, describe_process(),
             torch_error ? torch_error->what_without_backtrace() : e.what());
  if (session.size() > 1) MpiSession::abort(code);  // ends every rank; none is left waiting
  return code;
}

// mpirun reports 1, not the ranks' code, when it was signalled itself: wrappers that must tell a
// checkpointed stop (75) from a failure set VARSTYLE_EXIT_CODE_FILE and read the code there.
namespace {
void write_exit_code_file(int code) {
  const char* path = std::getenv("VARSTYLE_EXIT_CODE_FILE");
  if (path && *path) write_file_atomic(path, fmt::format("{}\n", code));
}
}  // namespace

Command add_train_command(CLI::App& parent) {
  struct Options {
    std::string file;
    std::string run_dir;
    std::string resume;
    std::vector<std::string> allowed_changes;
    std::vector<std::string> overrides;
    std::string device = "auto";
    bool verbose = false;
  };
  auto options = std::make_shared<Options>();
  Command command;
  command.app = parent.add_subcommand("train", "train a model data-parallel (launch with mpirun or srun)");
  command.app->add_option("--config", options->file, "YAML config file")->required();
  command.app->add_option("--run-dir", options->run_dir, "run folder (default runs/<config name>-<timestamp>)");
  command.app->add_option("--resume", options->resume, "auto: continue from the newest complete checkpoint")
      ->check(CLI::IsMember({"auto"}));
  command.app->add_option("--allow-change", options->allowed_changes,
                          "with --resume: a key whose value may differ from the run's config.yaml (repeatable)")
      ->allow_extra_args(false);  // one key per flag: the words after it are overrides
  add_device_option(*command.app, options->device);
  command.app->add_flag("--verbose", options->verbose, "debug logging");
  command.app->add_option("overrides", options->overrides, "section.key=value overrides");
  command.run = [options] {
    // First of all, so that a signal during start-up is held until the first step boundary
    // (checkpoint, exit 75) instead of killing the process.
    install_stop_signal_handlers();
    MpiSession session(nullptr, nullptr);
    setup_logging(session.rank(), options->verbose);
    try {
      TrainRequest request;
      request.config = load_config(options->file, options->overrides);
      request.config_name = std::filesystem::path(options->file).stem().string();
      request.run_dir = options->run_dir;
      request.resume = options->resume == "auto";
      request.allowed_changes = options->allowed_changes;
      request.device = parse_device_request(options->device);
      const int code = run_training(request, session);
      if (session.rank() == 0) write_exit_code_file(code);
      return code;
    } catch (const std::exception& e) {
      return fail_job("train", e, session);
    }
  };
  return command;
}

}  // namespace varstyle
