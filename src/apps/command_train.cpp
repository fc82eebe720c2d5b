// varstyle train --config FILE [--run-dir DIR] [--resume auto] [section.key=value ...]: starts MPI
// (mpirun, srun, or a single process), loads the config and runs the trainer. An error on any
// rank is printed once by that rank, naming it, and ends the whole job (MPI_Abort).
#include <spdlog/spdlog.h>

#include <filesystem>

#include <c10/util/Exception.h>

#include <fmt/format.h>

#include "apps/commands.h"
#include "core/error.h"
#include "core/logging.h"
#include "dist/mpi_session.h"
#include "train/trainer.h"

namespace varstyle {

int fail_job(const char* command, const std::exception& e, const MpiSession& session) {
  const auto* error = dynamic_cast<const Error*>(&e);
  const auto* torch_error = dynamic_cast<const c10::Error*>(&e);
  const int code = static_cast<int>(error ? error->code() : ExitCode::kFailure);
  fmt::print(stderr, "varstyle {}: error on {}: {}\n", command, describe_process(),
             torch_error ? torch_error->what_without_backtrace() : e.what());
  if (session.size() > 1) MpiSession::abort(code);  // ends every rank; none is left waiting
  return code;
}

Command add_train_command(CLI::App& parent) {
  struct Options {
    std::string file;
    std::string run_dir;
    std::string resume;
    std::vector<std::string> overrides;
    bool verbose = false;
  };
  auto options = std::make_shared<Options>();
  Command command;
  command.app = parent.add_subcommand("train", "train a model data-parallel (launch with mpirun or srun)");
  command.app->add_option("--config", options->file, "YAML config file")->required();
  command.app->add_option("--run-dir", options->run_dir, "run folder (default runs/<config name>-<timestamp>)");
  command.app->add_option("--resume", options->resume, "auto: continue from the newest complete checkpoint")
      ->check(CLI::IsMember({"auto"}));
  command.app->add_flag("--verbose", options->verbose, "debug logging");
  command.app->add_option("overrides", options->overrides, "section.key=value overrides");
  command.run = [options] {
    MpiSession session(nullptr, nullptr);
    setup_logging(session.rank(), options->verbose);
    try {
      TrainRequest request;
      request.config = load_config(options->file, options->overrides);
      request.config_name = std::filesystem::path(options->file).stem().string();
      request.run_dir = options->run_dir;
      request.resume = options->resume == "auto";
      return run_training(request, session);
    } catch (const std::exception& e) {
      return fail_job("train", e, session);
    }
  };
  return command;
}

}  // namespace varstyle
