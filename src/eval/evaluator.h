// varstyle eval: every method (trained checkpoints, gatys, identity) on the same content x style
// pairs at one resolution, metrics from one fixed network, pairs split across MPI ranks and
// gathered (the same output as one rank), then metrics.csv, summaries, grids and report.html.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <c10/core/Device.h>

#include "core/config.h"
#include "dist/mpi_session.h"

namespace varstyle {

struct EvalRequest {
  Config config;
  std::filesystem::path out;  // evals/eval-<timestamp> unless given
  c10::Device device{c10::kCPU};  // this rank's: its pairs, models and networks run there
  bool bf16 = false;  // the checkpoints' models stylise under bf16 autocast; Gatys and the metrics stay fp32
};

int run_evaluation(const EvalRequest& request, const MpiSession& session);

// One row of metrics.csv.
struct MetricRow {
  std::string method, content, style, error;
  int64_t pair = 0;
  std::map<std::string, double> values;  // metric name -> value (includes ms_per_image)
  // The output's colour and texture Gaussians (image_quality.h), gathered for the measures over
  // sets of outputs; not written to metrics.csv.
  std::vector<double> signature;
};

// Measures over a method's whole set of outputs rather than one pair: style_sensitivity, and
// for models with a style code sample_diversity, active_dims and latent_dim.
struct MethodQuality {
  std::string method;
  bool has_style_code = false;
  bool reference = false;  // identity: the row every metric is read against, never "best"
  std::map<std::string, double> values;
};

// The columns of metrics.csv, in order (after method, content, style).
std::vector<std::string> metric_columns();

}  // namespace varstyle
