// The HTTP side of `varstyle explore`: the embedded page and a small JSON API over an Explorer,
// bound to loopback unless told otherwise, until SIGINT or SIGTERM.
#pragma once

#include <functional>
#include <string>

#include "explore/explorer.h"

namespace varstyle {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8765;  // 0: any free port
};

// True for an address only this machine reaches (127.0.0.0/8, ::1, localhost).
bool is_loopback_host(const std::string& host);

// Binds (Error naming --host and --port when it cannot), calls `listening` with the page's URL,
// serves until SIGINT or SIGTERM, and returns once every connection has closed.
void serve_explorer(Explorer& explorer, const ServerOptions& options, const std::function<void(const std::string&)>& listening);

}  // namespace varstyle
