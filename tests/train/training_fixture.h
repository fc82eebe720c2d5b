// The fixture of the end-to-end training tests: tiny procedural datasets, a tiny adain config,
// the varstyle train command line for 1 or more ranks, and helpers to compare final weights and
// to start, await and kill a training in the background.
#pragma once

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <string>
#include <thread>

#include "checkpoint/checkpoint_store.h"
#include "checkpoint/tensor_file.h"
#include "test_support.h"

namespace varstyle {
namespace testing {

namespace fs = std::filesystem;

inline const std::string kVarstyle = VARSTYLE_BINARY;
inline const std::string kMpirun = "mpirun --allow-run-as-root --oversubscribe ";

class Training : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_ = new ScratchDir();
    for (const char* kind : {"content", "style"}) {
      auto result = run_command(std::string(VARSTYLE_PREP_BINARY) + " synthetic --no-progress --kind " + kind +
                                " --count 24 --size 20 --shard-size 10 --output " + (*data_ / kind).string());
      ASSERT_EQ(result.exit_code, 0) << result.output;
    }
    const std::string config =
        "data:\n  content: " + (*data_ / "content").string() + "\n  style: " + (*data_ / "style").string() +
        "\n  batch_size: 2\n  size: 16\n  prefetch: 2\n"
        "model:\n  kind: adain\n  width: 0.0625\n  latent_dim: 4\n"
        "loss:\n  content: 1.0\n  style_gram: 0.0\n  style_moments: 1.0\n"
        "optim:\n  lr: 0.001\n"
        "train:\n  steps: 3\n  seed: 5\n  log_every: 1\n  ckpt_every: 100\n  threads: 1\n  grid_size: 0\n";
    testing::write_text(*data_ / "tiny.yaml", config);
  }
  static void TearDownTestSuite() { delete data_; }

  static std::string train(const std::string& run, const std::string& overrides, int ranks = 1) {
    return (ranks > 1 ? kMpirun + "-np " + std::to_string(ranks) + " " : std::string()) + kVarstyle +
           " train --config " + (*data_ / "tiny.yaml").string() + " --run-dir " + run + " " + overrides;
  }

  static std::map<std::string, at::Tensor> final_model(const fs::path& run) {
    return read_tensor_file(CheckpointStore::resolve_model_file(run));
  }

  static inline ScratchDir* data_ = nullptr;
};

// Equal tensors (exact), or within rtol 1e-3 and atol 1e-4.
inline void expect_same_weights(const std::map<std::string, at::Tensor>& a,
                                const std::map<std::string, at::Tensor>& b, bool exact) {
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [name, tensor] : a) {
    ASSERT_TRUE(b.count(name)) << name;
    if (exact) EXPECT_TRUE(at::equal(tensor, b.at(name))) << name;
    else EXPECT_TRUE(at::allclose(tensor, b.at(name), 1e-3, 1e-4)) << name << " differs by " << (tensor - b.at(name)).abs().max().item<double>();
  }
}

// Starts `command` in the background; returns its pid.
inline pid_t spawn(const std::string& command, const fs::path& log) {
  const pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    execl("/bin/sh", "sh", "-c", ("exec " + command + " > " + log.string() + " 2>&1").c_str(), nullptr);
    _exit(127);
  }
  return pid;
}

inline bool wait_for(const fs::path& file, double seconds) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < end) {
    if (fs::exists(file)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

inline int wait_exit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace testing
}  // namespace varstyle
