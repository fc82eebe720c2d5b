// A request the explorer refuses: the HTTP status and a message naming the field, the value and
// the reason, sent to the client as it is (never a library's own text).
#pragma once

#include <stdexcept>
#include <string>

namespace varstyle {

class RequestError : public std::runtime_error {
 public:
  explicit RequestError(const std::string& message, int status = 400) : std::runtime_error(message), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

}  // namespace varstyle
