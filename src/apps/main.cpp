// varstyle: one command line for the framework; dispatches to the subcommands in commands.h and
// turns errors into one message and an exit code (docs/exit-codes.md).
#include <vector>

#include <c10/util/Exception.h>

#include <fmt/format.h>

#include "apps/commands.h"
#include "core/crash_report.h"
#include "core/error.h"

using namespace varstyle;

int main(int argc, char** argv) {
  install_crash_report("varstyle");
  CLI::App app{"varstyle: variational style transfer, trained data-parallel"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "varstyle " VARSTYLE_VERSION);
  std::vector<Command> commands = {add_train_command(app),  add_eval_command(app), add_stylize_command(app),
                                   add_sample_command(app), add_config_command(app), add_info_command(app),
                                   add_bench_command(app),   add_sweep_command(app), add_explore_command(app)};
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : static_cast<int>(ExitCode::kBadConfig);
  }
  try {
    for (const auto& command : commands)
      if (command.app->parsed()) return command.run();
    return static_cast<int>(ExitCode::kBadConfig);
  } catch (const Error& e) {
    fmt::print(stderr, "varstyle: error: {}\n", e.what());
    return static_cast<int>(e.code());
  } catch (const c10::Error& e) {
    fmt::print(stderr, "varstyle: error: {}\n", e.what_without_backtrace());
    return static_cast<int>(ExitCode::kFailure);
  } catch (const std::exception& e) {
    fmt::print(stderr, "varstyle: error: {}\n", e.what());
    return static_cast<int>(ExitCode::kFailure);
  }
}
