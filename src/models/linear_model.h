// Linear style transfer (Li et al. CVPR 2019) as a baseline: frozen VGG19 encoder to relu4_1, a
// learned transformation (1x1 compression to d channels; content and style CNNs -> d x d
// covariances -> FC -> matrices; T = T_s T_c; 1x1 uncompression; plus the style mean) and a
// trained decoder. Loss: content at relu4_1 against the content features, style means + Gram.
// With model.code_colour, the transformed features' statistics also set a colour transform of
// the decoder's output (nets/code_colour.h).
#pragma once

#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include "models/networks.h"
#include "losses/perceptual_criterion.h"
#include "models/style_model.h"
#include "nets/code_colour.h"
#include "nets/decoder.h"

namespace varstyle {

// The transformation module; its own class so that tests can check T = T_s T_c directly.
class LinearTransform : public torch::nn::Module {
 public:
  LinearTransform(int64_t channels, int64_t dimension);
  // Its parameters without building it: the two FC layers alone hold 2 dimension^4.
  static int64_t parameter_count(int64_t channels, int64_t dimension);
  at::Tensor forward(const at::Tensor& content_features, const at::Tensor& style_features);
  // The d x d matrix a branch computes from mean-subtracted features.
  at::Tensor branch_matrix(bool style, const at::Tensor& centred_features);

 private:
  int64_t dimension_;
  std::vector<torch::nn::Conv2d> content_convs_, style_convs_;
  torch::nn::Linear content_fc_{nullptr}, style_fc_{nullptr};
  torch::nn::Conv2d compress_{nullptr}, uncompress_{nullptr};
};

class LinearModel : public StyleModel {
 public:
  explicit LinearModel(const Config& config);

  std::string kind() const override { return "linear"; }
  LossTerms training_step(const StepInput& input) override;
  at::Tensor stylize(const at::Tensor& content, const at::Tensor& style, double alpha = 1.0) override;
  at::Tensor interpolate(const at::Tensor& content, const std::vector<at::Tensor>& styles,
                         const std::vector<double>& weights) override;
  // Prepared content and styles are encoder features; the mix is of transformed features.
  PreparedContent prepare_content(const at::Tensor& content) override;
  at::Tensor prepare_style(const at::Tensor& style) override;
  at::Tensor mix_prepared(const PreparedContent& content, const std::vector<at::Tensor>& styles,
                          const std::vector<double>& weights, double alpha = 1.0) override;

 private:
  at::Tensor encode(const at::Tensor& images);
  // The decoder's image under the colour transform that the decoder's input sets
  // (model.code_colour): its per-channel means and spreads are the "code". Else unchanged.
  at::Tensor coloured(const at::Tensor& image, const at::Tensor& decoder_input);

  Networks networks_;
  std::shared_ptr<LinearTransform> transform_;
  std::shared_ptr<Decoder> decoder_;
  std::shared_ptr<CodeColour> code_colour_;  // null unless model.code_colour
  std::unique_ptr<PerceptualCriterion> criterion_;
  ContentTarget content_target_;
  ModelConfig model_;
  std::string depth_;  // model.encoder_depth
};

}  // namespace varstyle
