// host_read: the counter and the copies.
#include "train/host_reads.h"

#include <c10/util/Exception.h>

#include <atomic>

namespace varstyle {

namespace {
std::atomic<int64_t> reads{0};
}  // namespace

std::vector<double> host_read_values(const at::Tensor& values) {
  reads.fetch_add(1);
  const at::Tensor host = values.detach().to(at::kCPU, at::kDouble).contiguous().reshape({-1});
  const double* data = host.data_ptr<double>();
  return std::vector<double>(data, data + host.numel());
}

double host_read(const at::Tensor& value, const char* what) {
  TORCH_CHECK(value.numel() == 1, "host_read(", what, "): expected one value, got ", value.numel());
  return host_read_values(value).front();
}

int64_t take_host_read_count() { return reads.exchange(0); }

}  // namespace varstyle
