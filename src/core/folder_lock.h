// An exclusive lock on an output folder, so that two processes never write into one folder at
// once (each would take the other's temporary files for stale ones). The lock is an flock on a
// file inside the folder: the kernel drops it when the holder exits, however it exits, so no
// stale lock is ever left behind; the file records who holds it, for the refusal's message.
#pragma once

#include <filesystem>
#include <string>

namespace varstyle {

class FolderLock {
 public:
  // Locks `folder` (which must exist) through `folder/lock_name`. Throws Error with exit code 2
  // naming the folder and the holder ("pid 123 on node7 since ...: varstyle-prep images") when
  // it is taken, and with exit code 1 when the lock file cannot be created.
  FolderLock(const std::filesystem::path& folder, const std::string& lock_name, const std::string& purpose);
  ~FolderLock();
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace varstyle
