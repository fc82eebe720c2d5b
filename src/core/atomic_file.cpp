// Atomic file writes (temp + fsync + rename + folder fsync) and whole-file reads.
#include "core/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "core/error.h"

namespace varstyle {
namespace fs = std::filesystem;

namespace {

// Every caller passes errno captured right after the failing call: formatting, closing or
// removing a file in between may change it (and "cannot rename into place: Success" follows).
std::string errno_text(int error) { return std::strerror(error); }

void write_all(int fd, const char* data, size_t size, const fs::path& path) {
  while (size > 0) {
    ssize_t written = ::write(fd, data, size);
    if (written < 0) {
      const int error = errno;
      if (error == EINTR) continue;
      throw Error(fmt::format("{}: cannot write: {}", path.string(), errno_text(error)));
    }
    data += written;
    size -= static_cast<size_t>(written);
  }
}

}  // namespace

fs::path temporary_sibling(const fs::path& path) {
  static std::atomic<int> counter{0};
  return fs::path(path.string() + fmt::format(".tmp-{}-{}", ::getpid(), counter++));
}

void fsync_path(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int error = errno;
    throw Error(fmt::format("{}: cannot open to sync: {}", path.string(), errno_text(error)));
  }
  int rc = ::fsync(fd);
  int saved = errno;
  ::close(fd);
  // Some file systems refuse fsync on folders (EINVAL); the rename is still atomic there.
  if (rc != 0 && saved != EINVAL)
    throw Error(fmt::format("{}: fsync failed: {}", path.string(), errno_text(saved)));
}

void commit_file(const fs::path& temporary, const fs::path& target) {
  fsync_path(temporary);
  std::error_code ec;
  fs::rename(temporary, target, ec);
  if (ec) {
    const std::string reason = ec.message();  // the removal below reuses nothing of it
    std::error_code ignored;
    fs::remove(temporary, ignored);
    throw Error(fmt::format("{}: cannot rename into place: {}", target.string(), reason));
  }
  fs::path folder = target.parent_path();
  fsync_path(folder.empty() ? fs::path(".") : folder);
}

void write_file_atomic(const fs::path& path, const std::string& contents) {
  fs::path temporary = temporary_sibling(path);
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    const int error = errno;
    throw Error(fmt::format("{}: cannot create: {}", path.string(), errno_text(error)));
  }
  try {
    write_all(fd, contents.data(), contents.size(), path);
    if (::fsync(fd) != 0) {
      const int error = errno;
      throw Error(fmt::format("{}: fsync failed: {}", path.string(), errno_text(error)));
    }
  } catch (...) {
    ::close(fd);
    ::unlink(temporary.c_str());
    throw;
  }
  ::close(fd);
  commit_file(temporary, path);
}

std::string read_file(const fs::path& path) {
  errno = 0;  // a stream sets no error of its own: only a fresh errno says why the open failed
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int error = errno;
    throw Error(fmt::format("{}: cannot open: {}", path.string(), error ? errno_text(error) : "unknown reason"));
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw Error(fmt::format("{}: read failed", path.string()));
  return buffer.str();
}

}  // namespace varstyle
