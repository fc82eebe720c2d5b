// --device on every command that computes: one spelling, one validator, one help text.
#include "apps/commands.h"
#include "dist/device_choice.h"

namespace varstyle {

CLI::Option* add_device_option(CLI::App& command, std::string& device) {
  return command
      .add_option("--device", device,
                  "auto (the node-local rank's GPU when CUDA is present, else the CPU) | cpu | cuda | cuda:N")
      ->check(CLI::Validator([](std::string& text) { return device_request_problem(text); }, "DEVICE"))
      ->capture_default_str();
}

}  // namespace varstyle
