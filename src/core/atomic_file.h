// Atomic output: write under a temporary name in the same folder, fsync, rename, fsync the folder,
// so that a reader (or a resumed run) sees either the old file or the complete new one.
#pragma once

#include <filesystem>
#include <string>

namespace varstyle {

// Writes `contents` to `path` atomically. Throws Error naming the path on any failure.
void write_file_atomic(const std::filesystem::path& path, const std::string& contents);

// A temporary sibling name for `path` that no other process uses ("name.tmp-<pid>-<n>").
std::filesystem::path temporary_sibling(const std::filesystem::path& path);

// fsyncs a file's data, then renames it over `target` and fsyncs the folder.
void commit_file(const std::filesystem::path& temporary, const std::filesystem::path& target);

// fsyncs a file or folder; throws Error naming it on failure.
void fsync_path(const std::filesystem::path& path);

// Reads a whole file; throws Error naming it when it cannot be read.
std::string read_file(const std::filesystem::path& path);

}  // namespace varstyle
