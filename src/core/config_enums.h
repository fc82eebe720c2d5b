// The settings that take one of a few names, as enum classes with their YAML names. A config
// parses each once when it loads, so code that runs per step or per convolution compares enums.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace varstyle {

enum class Padding { kReflect, kZero };
enum class Schedule { kConstant, kInverse, kCosine };
enum class OnNonfinite { kAbort, kSkip };
enum class LogvarOn { kNone, kContent, kStyle, kBoth };
enum class ContentEncoder { kVgg, kShallow };
enum class ContentTarget { kAdain, kContent, kStyled };
enum class LossNetwork { kVgg19, kResnet };
enum class DistBackend { kAuto, kNccl, kMpi };
enum class CoarseSpectrum { kFlat, kStyle };

// Each enum's values and their names in YAML, in the order messages list them.
template <typename E>
struct EnumNames;

#define VARSTYLE_ENUM_NAMES(Enum, ...)                                           \
  template <>                                                                    \
  struct EnumNames<Enum> {                                                       \
    static constexpr std::pair<Enum, const char*> kValues[] = {__VA_ARGS__};     \
  };

VARSTYLE_ENUM_NAMES(Padding, {Padding::kReflect, "reflect"}, {Padding::kZero, "zero"})
VARSTYLE_ENUM_NAMES(Schedule, {Schedule::kConstant, "constant"}, {Schedule::kInverse, "inverse"},
                    {Schedule::kCosine, "cosine"})
VARSTYLE_ENUM_NAMES(OnNonfinite, {OnNonfinite::kAbort, "abort"}, {OnNonfinite::kSkip, "skip"})
VARSTYLE_ENUM_NAMES(LogvarOn, {LogvarOn::kNone, "none"}, {LogvarOn::kContent, "content"},
                    {LogvarOn::kStyle, "style"}, {LogvarOn::kBoth, "both"})
VARSTYLE_ENUM_NAMES(ContentEncoder, {ContentEncoder::kVgg, "vgg"}, {ContentEncoder::kShallow, "shallow"})
VARSTYLE_ENUM_NAMES(ContentTarget, {ContentTarget::kAdain, "adain"}, {ContentTarget::kContent, "content"},
                    {ContentTarget::kStyled, "styled"})
VARSTYLE_ENUM_NAMES(LossNetwork, {LossNetwork::kVgg19, "vgg19"}, {LossNetwork::kResnet, "resnet"})
VARSTYLE_ENUM_NAMES(DistBackend, {DistBackend::kAuto, "auto"}, {DistBackend::kNccl, "nccl"},
                    {DistBackend::kMpi, "mpi"})
VARSTYLE_ENUM_NAMES(CoarseSpectrum, {CoarseSpectrum::kFlat, "flat"}, {CoarseSpectrum::kStyle, "style"})

#undef VARSTYLE_ENUM_NAMES

template <typename E>
const char* enum_name(E value) {
  for (const auto& [item, name] : EnumNames<E>::kValues)
    if (item == value) return name;
  return "?";
}

template <typename E>
std::vector<std::string> enum_names() {
  std::vector<std::string> names;
  for (const auto& item : EnumNames<E>::kValues) names.push_back(item.second);
  return names;
}

// False when `name` is none of E's names; `value` is then unchanged.
template <typename E>
bool parse_enum(const std::string& name, E& value) {
  for (const auto& [item, item_name] : EnumNames<E>::kValues)
    if (name == item_name) {
      value = item;
      return true;
    }
  return false;
}

}  // namespace varstyle
