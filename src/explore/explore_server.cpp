// Routes: GET of an embedded asset, GET /api/state, GET /api/thumbnail/ROLE/N, POST /api/render,
// POST /api/export, POST /api/upload/ROLE. Nothing here opens a file: assets come from the
// binary, images from the Explorer. Every refusal is JSON {"error": message} with a 4xx status.
#include "explore/explore_server.h"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <thread>

#include <fmt/format.h>

#include "core/error.h"
#include "explore/embedded_assets.h"
#include "explore/png_codec.h"
#include "explore/request_error.h"
#include "explore/upload_decode.h"

namespace varstyle {

namespace {

// JSON bodies (views) are small; only uploads may be large.
constexpr size_t kMaxJsonBody = 64 << 10;
constexpr size_t kMaxUploadName = 120;

std::atomic<int> stop_signal_received{0};
void on_stop_signal(int signal) { stop_signal_received.store(signal); }

void reply_error(httplib::Response& response, int status, const std::string& message) {
  response.status = status;
  response.set_content(nlohmann::json{{"error", message}}.dump(), "application/json");
}

// Runs `handler`, turning every failure into a message for the client: a RequestError keeps its
// status and text; anything else is the server's fault (500) with a generic text, so no library's
// message reaches the user.
void guarded(httplib::Response& response, const std::function<void()>& handler) {
  try {
    handler();
  } catch (const RequestError& e) {
    reply_error(response, e.status(), e.what());
  } catch (const std::exception& e) {
    fmt::print(stderr, "varstyle explore: request failed: {}\n", e.what());
    reply_error(response, 500, "the explorer could not answer this request (see its log)");
  }
}

void check_json_body(const httplib::Request& request) {
  if (request.body.size() > kMaxJsonBody)
    throw RequestError(fmt::format("request body of {} bytes is over the limit of {} for a view", request.body.size(), kMaxJsonBody), 413);
}

// An upload's display name: printable ASCII only, shortened; never a path that is opened.
std::string upload_name(const httplib::Request& request) {
  std::string name;
  for (char c : request.has_param("name") ? request.get_param_value("name") : std::string("upload"))
    if (c >= 0x20 && c < 0x7F && name.size() < kMaxUploadName) name.push_back(c);
  return name.empty() ? "upload" : name;
}

std::string url_host(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

// The page's state: the explorer's, with the limits and whether the server is exposed.
void add_state_route(httplib::Server& server, Explorer& explorer, const ServerOptions& options) {
  const bool exposed = !is_loopback_host(options.host);
  server.Get("/api/state", [&explorer, exposed, host = options.host](const httplib::Request&, httplib::Response& response) {
    guarded(response, [&] {
      nlohmann::json state = explorer.page_state();
      state["exposed"] = exposed;
      state["host"] = host;
      state["upload_limit_bytes"] = kMaxUploadBytes;
      state["upload_limit_pixels"] = kMaxUploadPixels;
      response.set_content(state.dump(), "application/json");
    });
  });
}

// A view's images as data URLs, with the time the decoder took.
nlohmann::json render_answer(Explorer& explorer, const std::string& body) {
  const View view = parse_view(body, explorer.limits());
  const auto start = std::chrono::steady_clock::now();
  const std::vector<std::string> images = explorer.render(view);
  const double milliseconds = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  nlohmann::json answer = {{"images", nlohmann::json::array()}, {"milliseconds", milliseconds}};
  for (const auto& png : images) answer["images"].push_back("data:image/png;base64," + base64_encode(png));
  return answer;
}

// Thumbnails, renders, exports and uploads: every answer through `guarded`, so a bad request gets
// a JSON 4xx naming the field.
void add_image_routes(httplib::Server& server, Explorer& explorer) {
  server.Get(R"(/api/thumbnail/(content|style)/(\d{1,6}))", [&explorer](const httplib::Request& request, httplib::Response& response) {
    guarded(response, [&] {
      response.set_content(explorer.thumbnail(request.matches[1], std::stoul(request.matches[2])), "image/png");
    });
  });
  server.Post("/api/render", [&explorer](const httplib::Request& request, httplib::Response& response) {
    guarded(response, [&] {
      check_json_body(request);
      response.set_content(render_answer(explorer, request.body).dump(), "application/json");
    });
  });
  server.Post("/api/export", [&explorer](const httplib::Request& request, httplib::Response& response) {
    guarded(response, [&] {
      check_json_body(request);
      response.set_content(explorer.export_code(parse_view(request.body, explorer.limits())).dump(2), "application/json");
    });
  });
  server.Post(R"(/api/upload/(content|style))", [&explorer](const httplib::Request& request, httplib::Response& response) {
    guarded(response, [&] {
      const std::string name = upload_name(request);
      SourceImage image{name, "", decode_upload(name, request.body)};
      response.set_content(explorer.add_image(request.matches[1], std::move(image)).dump(), "application/json");
    });
  });
}

// The embedded page, and a message for whatever httplib answers by itself (unknown paths and
// methods, a body over the limit, an exception).
void add_page_and_errors(httplib::Server& server) {
  server.Get(R"(/.*)", [](const httplib::Request& request, httplib::Response& response) {
    const EmbeddedAsset* asset = find_asset(request.path);
    if (asset == nullptr) return reply_error(response, 404, fmt::format("{}: no such page", request.path.substr(0, 200)));
    response.set_content(std::string(asset->body), std::string(asset->content_type).c_str());
    response.set_header("Cache-Control", "no-store");
  });
  server.set_error_handler([](const httplib::Request& request, httplib::Response& response) {
    if (!response.body.empty()) return;
    if (response.status == 413)
      return reply_error(response, 413, fmt::format("request body over the limit of {} MB", kMaxUploadBytes >> 20));
    if (response.status == 404) return reply_error(response, 404, fmt::format("{} {}: no such endpoint", request.method, request.path.substr(0, 200)));
    reply_error(response, response.status, fmt::format("HTTP {}", response.status));
  });
  server.set_exception_handler([](const httplib::Request&, httplib::Response& response, std::exception_ptr) {
    reply_error(response, 500, "the explorer could not answer this request");
  });
}

void add_routes(httplib::Server& server, Explorer& explorer, const ServerOptions& options) {
  add_state_route(server, explorer, options);
  add_image_routes(server, explorer);
  add_page_and_errors(server);
}

}  // namespace

bool is_loopback_host(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

void serve_explorer(Explorer& explorer, const ServerOptions& options, const std::function<void(const std::string&)>& listening) {
  httplib::Server server;
  add_routes(server, explorer, options);
  // One byte over the upload limit is refused before the body is read (413).
  server.set_payload_max_length(kMaxUploadBytes);
  server.set_read_timeout(30, 0);
  server.set_write_timeout(30, 0);
  int port = options.port;
  if (port == 0) {
    port = server.bind_to_any_port(options.host);
  } else if (!server.bind_to_port(options.host, port)) {
    port = -1;
  }
  if (port <= 0)
    throw ConfigError(fmt::format("--host {} --port {}: cannot listen there (the port is taken, or the host is not an address of this machine)",
                                  options.host, options.port));
  // Handlers set a flag; a watcher stops the server from a normal thread (stop() is not
  // async-signal-safe).
  stop_signal_received.store(0);
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  struct sigaction old_int {}, old_term {};
  sigaction(SIGINT, &action, &old_int);
  sigaction(SIGTERM, &action, &old_term);
  std::atomic<bool> finished{false};
  std::thread watcher([&] {
    while (!finished.load()) {
      if (stop_signal_received.load() != 0) {
        server.stop();
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  listening(fmt::format("http://{}:{}/", url_host(options.host), port));
  const bool ok = server.listen_after_bind();
  finished.store(true);
  watcher.join();
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  if (!ok && stop_signal_received.load() == 0) throw Error("the explorer's server stopped unexpectedly");
}

}  // namespace varstyle
