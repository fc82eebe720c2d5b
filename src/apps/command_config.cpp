// varstyle config: loads a config with overrides, validates it, prints the resolved YAML and
// optionally writes it (atomically) as DIR/config.yaml.
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "apps/commands.h"
#include "core/atomic_file.h"
#include "core/config.h"
#include "core/error.h"

namespace varstyle {

Command add_config_command(CLI::App& parent) {
  struct Options {
    std::string file;
    std::string out;
    std::vector<std::string> overrides;
  };
  auto options = std::make_shared<Options>();
  Command command;
  command.app = parent.add_subcommand("config", "resolve and check a config; print it or write DIR/config.yaml");
  command.app->add_option("--config", options->file, "YAML config file");
  command.app->add_option("--out", options->out, "folder to write the resolved config.yaml into");
  command.app->add_option("overrides", options->overrides, "section.key=value overrides");
  command.run = [options] {
    const Config config = options->file.empty() ? config_from_overrides(options->overrides)
                                                : load_config(options->file, options->overrides);
    const std::string yaml = config_to_yaml(config);
    if (options->out.empty()) {
      fmt::print("{}", yaml);
      return 0;
    }
    std::error_code ec;
    std::filesystem::create_directories(options->out, ec);
    if (ec) throw Error(fmt::format("{}: cannot create folder: {}", options->out, ec.message()));
    const auto path = std::filesystem::path(options->out) / "config.yaml";
    write_file_atomic(path, yaml);
    fmt::print("wrote {}\n", path.string());
    return 0;
  };
  return command;
}

}  // namespace varstyle
