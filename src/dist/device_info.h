// What this build and node offer for distributed GPU training: NCCL and CUDA runtime versions and
// the visible devices, or a line saying the build has no NCCL.
#pragma once

#include <string>

namespace varstyle {

bool built_with_nccl();
// One line; calls into NCCL and the CUDA runtime when built with them (never throws).
std::string describe_accelerators();

}  // namespace varstyle
