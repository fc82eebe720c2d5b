// --device: parsing, the choice against a node's GPUs (closed form, no GPU needed), and the
// command line's refusals (exit 2 naming --device) on every command that takes it.
#include <gtest/gtest.h>

#include "core/error.h"
#include "dist/device_choice.h"
#include "test_support.h"

namespace varstyle {
namespace {

using Kind = DeviceRequest::Kind;

TEST(DeviceRequest, ParsesTheFourForms) {
  EXPECT_EQ(parse_device_request("auto").kind, Kind::kAuto);
  EXPECT_EQ(parse_device_request("cpu").kind, Kind::kCpu);
  const DeviceRequest cuda = parse_device_request("cuda");
  EXPECT_EQ(cuda.kind, Kind::kCuda);
  EXPECT_EQ(cuda.index, -1);
  const DeviceRequest third = parse_device_request("cuda:3");
  EXPECT_EQ(third.kind, Kind::kCuda);
  EXPECT_EQ(third.index, 3);
  EXPECT_EQ(third.text, "cuda:3");
}

TEST(DeviceRequest, RefusesAnythingElseNamingTheOption) {
  for (const std::string bad : {"", "gpu", "CUDA", "cuda:", "cuda:-1", "cuda:x", "cuda:1.5", "cuda:128", "cuda:0 ", " cpu", "mps"}) {
    EXPECT_FALSE(device_request_problem(bad).empty()) << "'" << bad << "'";
    try {
      parse_device_request(bad);
      ADD_FAILURE() << "'" << bad << "' was accepted";
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find("--device"), std::string::npos) << e.what();
      EXPECT_EQ(e.code(), ExitCode::kBadConfig);
    }
  }
}

TEST(ChooseDevice, AutoIsTheCpuWithoutCudaAndTheLocalRanksGpuWithIt) {
  const CudaAvailability none{false, 0}, built_no_gpu{true, 0}, four{true, 4};
  EXPECT_EQ(choose_device(parse_device_request("auto"), none), c10::Device(c10::kCPU));
  EXPECT_EQ(choose_device(parse_device_request("auto"), built_no_gpu, 1, 2), c10::Device(c10::kCPU));
  EXPECT_EQ(choose_device(parse_device_request("auto"), four, 2, 4), c10::Device(c10::kCUDA, 2));
  EXPECT_EQ(choose_device(parse_device_request("cuda"), four, 3, 4), c10::Device(c10::kCUDA, 3));
  EXPECT_EQ(choose_device(parse_device_request("cuda:1"), four, 3, 8), c10::Device(c10::kCUDA, 1));
  EXPECT_EQ(choose_device(parse_device_request("cpu"), four, 0, 1), c10::Device(c10::kCPU));
}

void expect_refused(const std::string& device, const CudaAvailability& cuda, int local_rank, int local_size,
                    const std::string& reason) {
  try {
    choose_device(parse_device_request(device), cuda, local_rank, local_size);
    ADD_FAILURE() << device << " was accepted";
  } catch (const ConfigError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("--device " + device), std::string::npos) << message;
    EXPECT_NE(message.find(reason), std::string::npos) << message;
  }
}

TEST(ChooseDevice, RefusesWhatTheNodeCannotGive) {
  expect_refused("cuda", {false, 0}, 0, 1, "has no CUDA");
  expect_refused("cuda:0", {false, 0}, 0, 1, "has no CUDA");
  expect_refused("cuda", {true, 0}, 0, 1, "no CUDA device is visible");
  expect_refused("cuda:2", {true, 2}, 0, 1, "2 GPU(s)");
  expect_refused("auto", {true, 2}, 0, 4, "4 ranks share this node");
  expect_refused("cuda", {true, 2}, 3, 4, "4 ranks share this node");
}

TEST(ChooseDevice, ThisMachine) {
  const CudaAvailability cuda = cuda_availability();
  if (cuda.devices > 0) GTEST_SKIP() << "this machine has a GPU; the CPU-only expectations do not apply";
  EXPECT_EQ(pick_device(parse_device_request("auto")), c10::Device(c10::kCPU));
  EXPECT_THROW(pick_device(parse_device_request("cuda")), ConfigError);
}

// The command line: a bad value is a parse error (exit 2) and `cuda` without CUDA is refused
// (exit 2) before anything is read or written, on every command that computes.
TEST(DeviceOption, EveryCommandRefusesNamingIt) {
  testing::ScratchDir scratch;
  const std::string varstyle = VARSTYLE_BINARY;
  const std::string config = std::string(VARSTYLE_SOURCE_DIR) + "/configs/demo.yaml";
  const std::string out = (scratch / "out.png").string();
  const std::vector<std::string> commands = {
      "train --config " + config + " --run-dir " + (scratch / "run").string(),
      "eval --config " + config + " --out " + (scratch / "eval").string(),
      "stylize --checkpoint none --content none.png --style none.png --out " + out,
      "sample --checkpoint none --content none.png --out " + out,
      "bench stylize --config " + config,
      "bench reader --config " + config,
      "bench allreduce --config " + config};
  const bool no_cuda = cuda_availability().devices == 0;
  for (const auto& command : commands) {
    const auto bad = testing::run_command(varstyle + " " + command + " --device gpu");
    EXPECT_EQ(bad.exit_code, 2) << command << ": " << bad.output;
    EXPECT_NE(bad.output.find("--device"), std::string::npos) << command << ": " << bad.output;
    EXPECT_NE(bad.output.find("gpu"), std::string::npos) << command << ": " << bad.output;
    if (!no_cuda) continue;
    const auto cuda = testing::run_command(varstyle + " " + command + " --device cuda");
    EXPECT_EQ(cuda.exit_code, 2) << command << ": " << cuda.output;
    EXPECT_NE(cuda.output.find("--device cuda"), std::string::npos) << command << ": " << cuda.output;
  }
  EXPECT_FALSE(std::filesystem::exists(scratch / "run"));
  EXPECT_FALSE(std::filesystem::exists(scratch / "eval"));
  EXPECT_FALSE(std::filesystem::exists(out));
}

}  // namespace
}  // namespace varstyle
