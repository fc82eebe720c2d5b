// Rank agreement: config and parameter signatures compared via all-gather, rank 0's values
// broadcast.
#include "dist/consistency.h"

#include <ATen/core/grad_mode.h>

#include <algorithm>
#include <sstream>

#include <fmt/format.h>

#include "core/error.h"

namespace varstyle {

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The first line where `other` differs from `reference`, with the YAML section it sits in.
std::string first_difference(const std::string& reference, const std::string& other) {
  const auto a = lines_of(reference), b = lines_of(other);
  std::string section;
  for (size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    const std::string left = i < a.size() ? a[i] : "(nothing)";
    const std::string right = i < b.size() ? b[i] : "(nothing)";
    if (!left.empty() && left[0] != ' ' && left.back() == ':') section = left.substr(0, left.size() - 1) + ".";
    if (left != right) {
      auto trim = [](const std::string& s) { return s.substr(std::min(s.find_first_not_of(' '), s.size())); };
      return fmt::format("'{}{}' where rank 0 has '{}{}'", section, trim(right), section, trim(left));
    }
  }
  return "(no difference found)";
}

std::string signature(const NamedTensors& tensors) {
  std::string text;
  for (const auto& [name, tensor] : tensors)
    text += fmt::format("{} [{}] {}\n", name, fmt::join(tensor.sizes(), ", "), std::string(tensor.dtype().name()));
  return text;
}

}  // namespace

void check_ranks_agree(Communicator& communicator, const std::string& config_yaml, const NamedTensors& tensors) {
  const auto configs = communicator.all_gather(config_yaml);
  for (size_t r = 1; r < configs.size(); ++r)
    if (configs[r] != configs[0])
      throw ConfigError(fmt::format("rank {} was started with a different configuration than rank 0: it has {}",
                                    r, first_difference(configs[0], configs[r])));
  const auto signatures = communicator.all_gather(signature(tensors));
  for (size_t r = 1; r < signatures.size(); ++r)
    if (signatures[r] != signatures[0])
      throw ConfigError(fmt::format("rank {} builds different parameters than rank 0: it has {}", r,
                                    first_difference(signatures[0], signatures[r])));
}

void refuse_together(Communicator& communicator, const std::string& problem, ExitCode code) {
  const auto problems = communicator.all_gather(problem);
  const auto first = std::find_if(problems.begin(), problems.end(), [](const std::string& p) { return !p.empty(); });
  if (first == problems.end()) return;
  const auto hosts = communicator.all_gather(process_identity().host);  // every rank gets here
  const size_t rank = static_cast<size_t>(first - problems.begin());
  throw AgreedError(*first, code, fmt::format("rank {}/{} on {}", rank, problems.size(), hosts[rank]));
}

void broadcast_from_rank0(Communicator& communicator, const NamedTensors& tensors) {
  if (communicator.size() == 1) return;
  at::NoGradGuard no_grad;
  std::map<at::ScalarType, std::vector<at::Tensor>> by_type;
  for (const auto& [name, tensor] : tensors) by_type[tensor.scalar_type()].push_back(tensor);
  for (auto& [type, group] : by_type) {
    std::vector<at::Tensor> flat;
    for (const auto& tensor : group) flat.push_back(tensor.reshape({-1}));
    at::Tensor buffer = at::cat(flat);
    communicator.broadcast(buffer, 0);
    int64_t offset = 0;
    for (auto& tensor : group) {
      tensor.copy_(buffer.narrow(0, offset, tensor.numel()).view_as(tensor));
      offset += tensor.numel();
    }
  }
}

}  // namespace varstyle
