// The methods the evaluator compares, behind one interface: a trained model, the Gatys
// optimisation, and the identity (the content unchanged, the row every metric is read against).
#pragma once

#include <ATen/ATen.h>

#include <memory>
#include <string>

#include "eval/gatys.h"
#include "models/style_model.h"

namespace varstyle {

class Stylizer {
 public:
  virtual ~Stylizer() = default;
  // content, style: [1, 3, S, S] in [0, 1]; called with gradients off.
  virtual at::Tensor stylize(const at::Tensor& content, const at::Tensor& style) = 0;
  // The reference row (identity): every metric is read against it, and it is never "best".
  virtual bool is_reference() const { return false; }
  // Timed calls per pair out of the configured `repeats` (an optimisation runs once).
  virtual int timed_calls(int repeats) const { return repeats; }
  // Whether one untimed call comes first, so that first-call allocations stay out of the timing.
  virtual bool warms_up() const { return false; }
  // The trained model behind the method (sampling, interpolation and alpha figures), or null.
  virtual std::shared_ptr<StyleModel> model() const { return nullptr; }
};

// An eval.methods entry: NAME:CHECKPOINT (its model loaded onto `device`, stylising under bf16
// autocast when `bf16`), gatys (using `gatys`, always fp32) or identity.
std::unique_ptr<Stylizer> make_stylizer(const std::string& spec, std::shared_ptr<Gatys> gatys,
                                        const c10::Device& device = c10::Device(c10::kCPU), bool bf16 = false);

// The method's name in outputs: NAME of NAME:CHECKPOINT, else the entry itself.
std::string method_name(const std::string& spec);

}  // namespace varstyle
