// The visitors that walk a config struct's visit() list: YAML loading with validation, YAML
// emission, and key listing. Included by config.cpp, the sweep spec (whose own keys are walked
// the same way) and tests.
#pragma once

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <functional>
#include <map>
#include <set>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/config.h"

namespace varstyle::config_schema {

// A section is a struct with a visit(Visitor&) member; anything else is a leaf value.
struct ProbeVisitor {};
template <typename T, typename = void>
struct is_section : std::false_type {};
template <typename T>
struct is_section<T, std::void_t<decltype(std::declval<T&>().visit(std::declval<ProbeVisitor&>()))>>
    : std::true_type {};

// Where a node came from, for messages: "file.yaml:12:5" or "override 'data.size=3'".
using Locate = std::function<std::string(const std::string& key_path, const YAML::Node& node)>;

class Loader {
 public:
  Loader(const YAML::Node& node, std::string prefix, Locate locate)
      : node_(node), prefix_(std::move(prefix)), locate_(std::move(locate)) {}

  template <typename T, typename... Constraints>
  void operator()(const char* key, T& field, const Constraints&... constraints) {
    known_.push_back(key);
    const std::string path = prefix_.empty() ? key : prefix_ + "." + key;
    YAML::Node child = node_[key];
    if (!child) return;  // absent: keep the default
    if constexpr (is_section<T>::value) {
      if (!child.IsMap()) fail(path, child, "expected a section (a map of keys)");
      Loader nested(child, path, locate_);
      field.visit(nested);
      nested.reject_unknown_keys();
    } else if constexpr (std::is_enum_v<T>) {
      const std::string name = convert<std::string>(path, child);
      check(path, child, name, Choices{enum_names<T>()});
      parse_enum(name, field);
    } else if constexpr (std::is_same_v<T, YAML::Node>) {
      field.reset(child);  // a map of the caller's own shape (a sweep's keys), checked by the caller
    } else {
      field = convert<T>(path, child);
      (check(path, child, field, constraints), ...);
    }
  }

  // Every key in the node must have been visited.
  void reject_unknown_keys() const;

 private:
  [[noreturn]] void fail(const std::string& path, const YAML::Node& node,
                         const std::string& reason) const;

  template <typename T>
  T convert(const std::string& path, const YAML::Node& node) const;

  void check(const std::string& path, const YAML::Node& node, int64_t value, const Range& r) const;
  void check(const std::string& path, const YAML::Node& node, double value, const Range& r) const;
  void check(const std::string& path, const YAML::Node& node, const std::string& value,
             const Choices& choices) const;
  void check(const std::string& path, const YAML::Node& node, const std::vector<double>& values,
             const Range& r) const;
  void check(const std::string& path, const YAML::Node& node, const std::vector<std::string>& values,
             const MethodList&) const;

  YAML::Node node_;
  std::string prefix_;
  Locate locate_;
  std::vector<std::string> known_;
};

// The conversions Loader knows (defined in config.cpp).
template <>
std::string Loader::convert<std::string>(const std::string& path, const YAML::Node& node) const;
template <>
int64_t Loader::convert<int64_t>(const std::string& path, const YAML::Node& node) const;
template <>
double Loader::convert<double>(const std::string& path, const YAML::Node& node) const;
template <>
bool Loader::convert<bool>(const std::string& path, const YAML::Node& node) const;
template <>
std::vector<double> Loader::convert<std::vector<double>>(const std::string& path, const YAML::Node& node) const;
template <>
std::vector<std::string> Loader::convert<std::vector<std::string>>(const std::string& path,
                                                                   const YAML::Node& node) const;

class Emitter {
 public:
  explicit Emitter(YAML::Emitter& out) : out_(out) {}

  template <typename T, typename... Constraints>
  void operator()(const char* key, T& field, const Constraints&...) {
    out_ << YAML::Key << key;
    if constexpr (is_section<T>::value) {
      out_ << YAML::Value << YAML::BeginMap;
      field.visit(*this);
      out_ << YAML::EndMap;
    } else if constexpr (std::is_same_v<T, std::vector<double>>) {
      out_ << YAML::Value << YAML::Flow << YAML::BeginSeq;
      for (double item : field) out_ << shortest(item);
      out_ << YAML::EndSeq;
    } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
      out_ << YAML::Value << YAML::Flow << YAML::BeginSeq;
      for (const auto& item : field) out_ << item;
      out_ << YAML::EndSeq;
    } else if constexpr (std::is_same_v<T, std::string>) {
      out_ << YAML::Value << YAML::DoubleQuoted << field;
    } else if constexpr (std::is_enum_v<T>) {
      out_ << YAML::Value << YAML::DoubleQuoted << enum_name(field);
    } else if constexpr (std::is_same_v<T, double>) {
      out_ << YAML::Value << shortest(field);
    } else {
      out_ << YAML::Value << field;
    }
  }

 private:
  // The shortest text that reads back as the same double (0.05, not 0.050000000000000003).
  static std::string shortest(double value) { return fmt::format("{}", value); }

  YAML::Emitter& out_;
};

class KeyLister {
 public:
  explicit KeyLister(std::vector<std::string>& keys, std::string prefix = "")
      : keys_(keys), prefix_(std::move(prefix)) {}

  template <typename T, typename... Constraints>
  void operator()(const char* key, T& field, const Constraints&...) {
    const std::string path = prefix_.empty() ? key : prefix_ + "." + key;
    if constexpr (is_section<T>::value) {
      KeyLister nested(keys_, path);
      field.visit(nested);
    } else {
      keys_.push_back(path);
    }
  }

 private:
  std::vector<std::string>& keys_;
  std::string prefix_;
};

}  // namespace varstyle::config_schema
