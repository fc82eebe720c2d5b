// FolderLock: flock(LOCK_EX | LOCK_NB) on a lock file that names its holder.
#include "core/folder_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "core/clock_text.h"
#include "core/error.h"

namespace varstyle {
namespace fs = std::filesystem;

namespace {

std::string read_holder(int fd) {
  char buffer[512] = {0};
  const ssize_t n = ::pread(fd, buffer, sizeof(buffer) - 1, 0);
  std::string text(buffer, n > 0 ? static_cast<size_t>(n) : 0);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\0')) text.pop_back();
  return text.empty() ? "another process (starting up)" : text;
}

}  // namespace

FolderLock::FolderLock(const fs::path& folder, const std::string& lock_name, const std::string& purpose) {
  const fs::path path = folder / lock_name;
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    const int error = errno;
    throw Error(fmt::format("{}: cannot create the lock file: {}", path.string(), std::strerror(error)));
  }
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    const std::string holder = error == EWOULDBLOCK ? read_holder(fd_) : "";
    ::close(fd_);
    fd_ = -1;
    // Refused before anything is written, like a bad command line: exit code 2.
    if (error == EWOULDBLOCK)
      throw Error(fmt::format("{}: in use by {} ({}); wait for it to finish or choose another folder",
                              folder.string(), holder, path.string()),
                  ExitCode::kBadConfig);
    throw Error(fmt::format("{}: cannot lock: {}", path.string(), std::strerror(error)));
  }
  char host[256] = {0};
  ::gethostname(host, sizeof(host) - 1);
  const std::string holder =
      fmt::format("pid {} on {} since {}: {}\n", ::getpid(), host, local_time_text("%Y-%m-%d %H:%M:%S"), purpose);
  // Best effort: the lock itself is the flock, the text only helps the message of a second run.
  const bool recorded = ::ftruncate(fd_, 0) == 0 &&
                        ::pwrite(fd_, holder.data(), holder.size(), 0) == static_cast<ssize_t>(holder.size());
  (void)recorded;
}

FolderLock::~FolderLock() {
  if (fd_ < 0) return;
  // Emptied while still held, so a finished output folder carries no pid or time stamp (its
  // bytes stay the same run after run); the empty file stays, harmless and reused.
  const bool emptied = ::ftruncate(fd_, 0) == 0;
  (void)emptied;
  ::close(fd_);  // releases the flock
}

}  // namespace varstyle
