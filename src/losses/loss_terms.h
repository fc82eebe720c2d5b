// LossTerms: the named, weighted terms of one training step, in the order computed; the trainer
// logs each and sums them. Every model kind and the perceptual criterion fill one.
#pragma once

#include <ATen/ATen.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace varstyle {

// Weighted loss terms in the order computed; a term whose weight is 0 is never computed.
class LossTerms {
 public:
  void add(const std::string& name, double weight, const std::function<at::Tensor()>& compute);
  const std::vector<std::pair<std::string, at::Tensor>>& terms() const { return terms_; }
  at::Tensor total() const;

 private:
  std::vector<std::pair<std::string, at::Tensor>> terms_;
};

}  // namespace varstyle
