// AdaIN (Huang & Belongie 2017) as a baseline: frozen VGG19 encoder to relu4_1, AdaIN of the
// content features to the style features' statistics, a trained decoder. Loss: content against
// the AdaIN target, mean/std style loss over relu1_1..relu4_1 (configs/adain_256.yaml).
#pragma once

#include "models/networks.h"
#include "losses/perceptual_criterion.h"
#include "models/style_model.h"
#include "nets/decoder.h"

namespace varstyle {

class AdainModel : public StyleModel {
 public:
  explicit AdainModel(const Config& config);

  std::string kind() const override { return "adain"; }
  LossTerms training_step(const StepInput& input) override;
  at::Tensor stylize(const at::Tensor& content, const at::Tensor& style, double alpha = 1.0) override;
  // Mixes the AdaIN targets of several styles (feature interpolation).
  at::Tensor interpolate(const at::Tensor& content, const std::vector<at::Tensor>& styles,
                         const std::vector<double>& weights) override;
  // Prepared content and styles are relu features; the mix is of AdaIN targets, then alpha.
  PreparedContent prepare_content(const at::Tensor& content) override;
  at::Tensor prepare_style(const at::Tensor& style) override;
  at::Tensor mix_prepared(const PreparedContent& content, const std::vector<at::Tensor>& styles,
                          const std::vector<double>& weights, double alpha = 1.0) override;

 private:
  at::Tensor encode(const at::Tensor& images);

  LossConfig loss_;
  ModelConfig model_;
  std::string depth_;  // model.encoder_depth
  Networks networks_;
  std::shared_ptr<Decoder> decoder_;
  std::unique_ptr<PerceptualCriterion> criterion_;
};

}  // namespace varstyle
