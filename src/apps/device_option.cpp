// --device and --bf16 on every command that computes: one spelling, one validator, one help text.
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

CLI::Option* add_bf16_option(CLI::App& command, bool& bf16) {
  return command.add_flag("--bf16", bf16,
                          "run the networks under bf16 autocast (CUDA, or a CPU with avx512_bf16/amx_bf16; slower on "
                          "other CPUs); feature statistics stay fp32, the output image is fp32");
}

}  // namespace varstyle
