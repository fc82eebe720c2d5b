// LossTerms: a term whose weight is 0 is never computed, so disabled losses cost nothing.
#include "losses/loss_terms.h"

#include <c10/util/Exception.h>

namespace varstyle {

void LossTerms::add(const std::string& name, double weight, const std::function<at::Tensor()>& compute) {
  if (weight <= 0) return;
  terms_.emplace_back(name, weight * compute());
}

at::Tensor LossTerms::total() const {
  TORCH_CHECK(!terms_.empty(), "no loss term has a positive weight");
  at::Tensor sum = terms_.front().second;
  for (size_t i = 1; i < terms_.size(); ++i) sum = sum + terms_[i].second;
  return sum;
}

}  // namespace varstyle
