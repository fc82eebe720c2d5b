// varstyle eval --config FILE [--out DIR] [--device D] [section.key=value ...]: the evaluator as
// its own (MPI-launchable) process, each rank on its device; an error on any rank is printed once
// naming it and ends the job.
#include <fmt/format.h>

#include "apps/commands.h"
#include "core/error.h"
#include "core/logging.h"
#include "dist/device_choice.h"
#include "dist/mpi_session.h"
#include "eval/evaluator.h"

namespace varstyle {

Command add_eval_command(CLI::App& parent) {
  struct Options {
    std::string file, out;
    std::string device = "auto";
    bool bf16 = false;
    std::vector<std::string> overrides;
  };
  auto o = std::make_shared<Options>();
  Command command;
  command.app = parent.add_subcommand("eval", "compare methods on the same pairs (launch with mpirun to split the pairs)");
  command.app->add_option("--config", o->file, "YAML config with an eval section")->required();
  command.app->add_option("--out", o->out, "output folder (default evals/eval-<timestamp>)");
  add_device_option(*command.app, o->device);
  add_bf16_option(*command.app, o->bf16)->description(
      "the checkpoints' models stylise under bf16 autocast (Gatys and the metrics network stay fp32)");
  command.app->add_option("overrides", o->overrides, "section.key=value overrides");
  command.run = [o] {
    MpiSession session(nullptr, nullptr);
    setup_logging(session.rank());
    try {
      EvalRequest request;
      request.config = load_config(o->file, o->overrides);
      request.out = o->out;
      request.device = pick_device(parse_device_request(o->device), session.local_rank(), session.local_size());
      request.bf16 = o->bf16;
      return run_evaluation(request, session);
    } catch (const std::exception& e) {
      return fail_job("eval", e, session);
    }
  };
  return command;
}

}  // namespace varstyle
