// The one way the training loop reads a device value on the host. On a GPU every such read waits
// for the device to finish what was queued, so the loop keeps them to log and checkpoint steps;
// the count since the previous metrics row is logged as "host_reads" (on the CPU too, where the
// same reads would sync a GPU), and a test holds it flat in train.log_every.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <vector>

namespace varstyle {

// `values` on the host as doubles, flattened: one counted read however many values it holds.
std::vector<double> host_read_values(const at::Tensor& values);
// One value: a 0-dim or one-element tensor.
double host_read(const at::Tensor& value, const char* what);
// Reads since the previous call (the metrics row before), and starts counting anew.
int64_t take_host_read_count();

}  // namespace varstyle
