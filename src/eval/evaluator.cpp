// run_evaluation: inputs, methods, rank-split pairs, metrics, gathered rows, images and reports.
#include "eval/evaluator.h"

#include <ATen/Parallel.h>
#include <ATen/core/grad_mode.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include "core/atomic_file.h"
#include "core/clock_text.h"
#include "core/error.h"
#include "core/thread_count.h"
#include "data/image_files.h"
#include "data/shard_dataset.h"
#include "dist/communicator.h"
#include "eval/eval_progress.h"
#include "eval/figures.h"
#include "eval/gatys.h"
#include "image/grid.h"
#include "image/image_io.h"
#include "eval/image_quality.h"
#include "eval/metrics.h"
#include "eval/report.h"
#include "eval/stylizer.h"
#include "eval/summary.h"
#include "nets/autocast_scope.h"

namespace varstyle {
namespace fs = std::filesystem;

std::vector<std::string> metric_columns() {
  std::vector<std::string> columns = {"structure", "colour", "texture", "gram_distance", "content_distance", "w2_distance", "moments_distance", "ssim", "ms_per_image"};
  for (const auto& tap : EvaluationMetrics::style_taps()) columns.push_back("gram_" + tap);
  return columns;
}

namespace {

struct NamedImage {
  std::string name;
  at::Tensor image;  // [1, 3, S, S]
};

at::Tensor square(const cv::Mat& rgb, int64_t size) {
  const cv::Mat resized = resize_short_side(rgb, static_cast<int>(size));
  const int left = (resized.cols - static_cast<int>(size)) / 2, top = (resized.rows - static_cast<int>(size)) / 2;
  return from_rgb_image(resized(cv::Rect(left, top, static_cast<int>(size), static_cast<int>(size))).clone());
}

// A varstyle-prep folder (manifest.json) or a folder of images, the first `limit` in sorted order.
std::vector<NamedImage> load_images(const std::string& key, const std::string& folder, int64_t limit, int64_t size) {
  if (folder.empty()) throw ConfigError(fmt::format("{} must name an image folder or a varstyle-prep output", key));
  std::vector<NamedImage> images;
  if (fs::exists(fs::path(folder) / "manifest.json")) {
    ShardedDataset dataset(folder);
    const int64_t s = dataset.image_size();
    std::vector<uint8_t> rgb(static_cast<size_t>(s * s * 3));
    for (int64_t i = 0; i < std::min(limit, dataset.size()); ++i) {
      dataset.read(i, rgb.data());
      images.push_back({dataset.source(i), square(cv::Mat(static_cast<int>(s), static_cast<int>(s), CV_8UC3, rgb.data()).clone(), size)});
    }
    return images;
  }
  if (!fs::is_directory(folder)) throw ConfigError(fmt::format("{}: {} is not a folder", key, folder));
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(folder))
    if (entry.is_regular_file() && has_image_extension(entry.path())) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    if (static_cast<int64_t>(images.size()) >= limit) break;
    images.push_back({fs::relative(file, folder).generic_string(), square(read_image_rgb(file), size)});
  }
  if (images.empty()) throw ConfigError(fmt::format("{}: no images in {}", key, folder));
  return images;
}

struct Method {
  std::string name;
  std::unique_ptr<Stylizer> stylizer;
};

// Checkpoints are loaded here, so that a bad one fails before anything is written.
std::vector<Method> load_methods(const std::vector<std::string>& specs, const std::shared_ptr<Gatys>& gatys,
                                 const c10::Device& device, bool bf16) {
  std::vector<Method> methods;
  for (const auto& spec : specs) methods.push_back({method_name(spec), make_stylizer(spec, gatys, device, bf16)});
  return methods;
}

nlohmann::json row_json(const MetricRow& row) {
  return {{"method", row.method}, {"content", row.content}, {"style", row.style}, {"error", row.error},
          {"pair", row.pair},     {"values", row.values},   {"signature", row.signature}};
}

MetricRow row_from(const nlohmann::json& j) {
  MetricRow row;
  row.method = j.at("method");
  row.content = j.at("content");
  row.style = j.at("style");
  row.error = j.at("error");
  row.pair = j.at("pair");
  row.values = j.at("values").get<std::map<std::string, double>>();
  row.signature = j.at("signature").get<std::vector<double>>();
  return row;
}

fs::path cell_path(const fs::path& out, const std::string& method, size_t content, size_t style) {
  return out / "cells" / method / fmt::format("c{:03d}_s{:03d}.png", content, style);
}

// Measures over sets of outputs, on rank 0 from the gathered rows: style sensitivity per
// content (outputs for different styles, relative to the styles' own spread), and for models
// with a style code the diversity of sampled styles and the number of active code dimensions.
std::vector<MethodQuality> set_measures(const std::vector<Method>& methods, const std::vector<MetricRow>& rows,
                                        const std::vector<NamedImage>& contents, const std::vector<NamedImage>& styles,
                                        const std::vector<ImageStatistics>& style_stats) {
  const StyleSpread spread = style_spread(style_stats);
  const double styles_apart = mean_pairwise_distance(style_stats, spread);
  constexpr int64_t kSamples = 6;
  std::vector<MethodQuality> result;
  for (const auto& method : methods) {
    const std::shared_ptr<StyleModel> model = method.stylizer->model();
    MethodQuality quality{method.name, model && model->has_style_code(), method.stylizer->is_reference(), {}};
    double sensitivity = 0;
    int measured = 0;
    for (const auto& content : contents) {
      std::vector<ImageStatistics> outputs;
      for (const auto& row : rows)
        if (row.method == method.name && row.content == content.name && row.error.empty())
          outputs.push_back(from_signature(row.signature));
      if (outputs.size() < 2) continue;
      sensitivity += mean_pairwise_distance(outputs, spread) / styles_apart;
      ++measured;
    }
    quality.values["style_sensitivity"] = measured > 0 && styles_apart > 0 ? sensitivity / measured : NAN;
    if (quality.has_style_code) try {
      at::NoGradGuard no_grad;
      double diversity = 0;
      for (size_t c = 0; c < contents.size(); ++c) {
        const at::Tensor samples = model->sample(contents[c].image, kSamples, 1000 + c);
        std::vector<ImageStatistics> sampled;
        for (int64_t k = 0; k < samples.size(0); ++k) sampled.push_back(image_statistics(samples[k]));
        diversity += mean_pairwise_distance(sampled, spread) / styles_apart;
      }
      quality.values["sample_diversity"] = contents.empty() || styles_apart <= 0 ? NAN : diversity / contents.size();
      std::vector<at::Tensor> codes;
      for (const auto& style : styles) codes.push_back(model->encode_style(style.image));
      // The learnt part only: a spectrum part would make half the code active by construction.
      const at::Tensor all = at::cat(codes, 0);
      const at::Tensor means = all.narrow(1, 0, all.size(1) - model->measured_code_dims());
      quality.values["active_dims"] = static_cast<double>(active_dimensions(means));
      quality.values["latent_dim"] = static_cast<double>(means.size(1));
    } catch (const c10::Error& e) {
      // Like a failing pair: the measures stay missing (the floors then say so), the rest goes on.
      spdlog::warn("{}: sampling or encoding styles failed: {}", method.name, e.what_without_backtrace());
    } catch (const std::exception& e) {
      spdlog::warn("{}: sampling or encoding styles failed: {}", method.name, e.what());
    }
    result.push_back(quality);
  }
  return result;
}

// The content and style images every method runs on, with their image statistics.
struct EvalInputs {
  std::vector<NamedImage> contents, styles;
  std::vector<ImageStatistics> content_stats, style_stats;
};

EvalInputs load_inputs(const EvalConfig& config, const c10::Device& device) {
  EvalInputs inputs;
  inputs.contents = load_images("eval.content", config.content, config.contents, config.size);
  inputs.styles = load_images("eval.style", config.style, config.styles, config.size);
  for (const auto& c : inputs.contents) inputs.content_stats.push_back(image_statistics(c.image));
  for (const auto& s : inputs.styles) inputs.style_stats.push_back(image_statistics(s.image));
  for (auto& image : inputs.contents) image.image = image.image.to(device);
  for (auto& image : inputs.styles) image.image = image.image.to(device);
  return inputs;
}

// The Gatys baseline on its own VGG19, built right after the metrics' network, whose seed its
// random weights follow.
std::shared_ptr<Gatys> make_gatys(const EvalConfig& config, const c10::Device& device) {
  auto network = std::make_shared<Vgg19>(evaluation_network_options(config.network_width));
  if (!config.network_weights.empty()) network->load(config.network_weights);
  network->freeze();
  network->to(device);
  return std::make_shared<Gatys>(network, config);
}

void create_output(const fs::path& out, const Config& config) {
  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec) throw Error(fmt::format("{}: cannot create the output folder: {}", out.string(), ec.message()));
  write_file_atomic(out / "config.yaml", config_to_yaml(config));
}

// One method on pair `p` (content c, style s): the stylisation timed, its metrics and image-space
// measures, the image written to cells/. A failure is recorded in the row, not thrown.
MetricRow evaluate_pair(Method& method, const EvalInputs& inputs, size_t p, EvaluationMetrics& metrics,
                        const EvalConfig& config, const fs::path& out, bool& warmed_up) {
  const size_t c = p / inputs.styles.size(), s = p % inputs.styles.size();
  const at::Tensor& content = inputs.contents[c].image;
  const at::Tensor& style = inputs.styles[s].image;
  MetricRow row{method.name, inputs.contents[c].name, inputs.styles[s].name, "", static_cast<int64_t>(p), {}, {}};
  try {
    if (!warmed_up && method.stylizer->warms_up()) method.stylizer->stylize(content, style);
    warmed_up = true;
    const int calls = method.stylizer->timed_calls(static_cast<int>(config.timing_repeats));
    at::Tensor output;
    const auto start = std::chrono::steady_clock::now();
    for (int r = 0; r < calls; ++r) output = method.stylizer->stylize(content, style);
    output.cpu();  // a GPU computes asynchronously: the time ends when the output exists
    const double ms = 1000.0 * std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / calls;
    row.values = metrics.compute(output, content, style);
    const ImageStatistics output_stats = image_statistics(output);
    row.values["structure"] = structure_score(output_stats, inputs.content_stats[c]);
    row.values["colour"] = colour_ratio(output_stats, inputs.content_stats[c], inputs.style_stats[s]);
    row.values["texture"] = texture_ratio(output_stats, inputs.content_stats[c], inputs.style_stats[s]);
    row.signature = to_signature(output_stats);
    row.values["ms_per_image"] = ms;
    fs::create_directories(cell_path(out, method.name, c, s).parent_path());
    write_image(cell_path(out, method.name, c, s), to_rgb_image(output[0]));
  } catch (const c10::Error& e) {
    row.error = e.what_without_backtrace();
    spdlog::warn("{} on ({}, {}): {}", method.name, row.content, row.style, row.error);
  } catch (const std::exception& e) {
    row.error = e.what();
    spdlog::warn("{} on ({}, {}): {}", method.name, row.content, row.style, row.error);
  }
  return row;
}

// This rank's share of the pairs: p = rank, rank + size, ... for every method.
std::vector<MetricRow> evaluate_my_pairs(std::vector<Method>& methods, const EvalInputs& inputs,
                                         EvaluationMetrics& metrics, const EvalConfig& config, const fs::path& out,
                                         const MpiSession& session) {
  const size_t pairs = inputs.contents.size() * inputs.styles.size();
  const auto rank = static_cast<size_t>(session.rank()), ranks = static_cast<size_t>(session.size());
  const int64_t share = rank < pairs ? static_cast<int64_t>((pairs - rank - 1) / ranks + 1) : 0;
  EvalProgress progress(session.rank() == 0, session.size());
  std::vector<MetricRow> mine;
  at::NoGradGuard no_grad;
  for (size_t m = 0; m < methods.size(); ++m) {
    bool warmed_up = false;
    progress.start_method(methods[m].name, m + 1, methods.size(), share);
    for (size_t p = rank; p < pairs; p += ranks) {
      mine.push_back(evaluate_pair(methods[m], inputs, p, metrics, config, out, warmed_up));
      progress.pair_done();
    }
  }
  return mine;
}

// Every rank's rows in method order, then pair order: the same files for any number of ranks.
std::vector<MetricRow> gather_rows(const std::vector<MetricRow>& mine, Communicator& communicator,
                                   const std::vector<std::string>& names) {
  nlohmann::json payload = nlohmann::json::array();
  for (const auto& row : mine) payload.push_back(row_json(row));
  const auto gathered = communicator.all_gather(payload.dump());
  std::vector<MetricRow> rows;
  for (const auto& text : gathered)
    for (const auto& j : nlohmann::json::parse(text)) rows.push_back(row_from(j));
  std::sort(rows.begin(), rows.end(), [&](const MetricRow& a, const MetricRow& b) {
    const auto ia = std::find(names.begin(), names.end(), a.method) - names.begin();
    const auto ib = std::find(names.begin(), names.end(), b.method) - names.begin();
    return ia != ib ? ia < ib : a.pair < b.pair;
  });
  return rows;
}

std::vector<std::string> write_evaluation_figures(const fs::path& out, const std::vector<Method>& methods,
                                                  const EvalInputs& inputs) {
  FigureInputs figures;
  for (const auto& c : inputs.contents) figures.contents.push_back(c.image);
  for (const auto& s : inputs.styles) figures.styles.push_back(s.image);
  for (const auto& method : methods) {
    figures.methods.push_back(method.name);
    if (method.stylizer->model()) figures.models.emplace_back(method.name, method.stylizer->model());
  }
  figures.cell = [&](const std::string& method, size_t c, size_t s) { return cell_path(out, method, c, s); };
  return write_figures(out, figures);
}

}  // namespace

int run_evaluation(const EvalRequest& request, const MpiSession& session) {
  const EvalConfig& config = request.config.eval;
  // By default the node's cores are shared by its ranks, as in train.
  const int threads = threads_per_rank(config.threads, session.local_size());
  at::set_num_threads(threads);
  auto communicator = make_mpi_communicator();
  const std::string mine = request.out.empty() ? (fs::path("evals") / timestamped_name("eval")).string() : request.out.string();
  const fs::path out = communicator->all_gather(mine).front();  // rank 0's choice

  // Everything that can be wrong with the inputs fails here, before anything is written.
  const EvalInputs inputs = load_inputs(config, request.device);
  EvaluationMetrics metrics(config.network_weights, config.network_width, request.device);
  auto methods = load_methods(config.methods, make_gatys(config, request.device), request.device, request.bf16);
  if (session.rank() == 0) create_output(out, request.config);
  communicator->barrier();
  spdlog::info("eval {} | {} method(s) x {} pair(s) on {} rank(s) ({}), {} thread(s) each", out.string(), methods.size(),
               inputs.contents.size() * inputs.styles.size(), session.size(), request.device.str(), threads);
  log_bf16_choice(request.bf16, request.device);

  const auto mine_rows = evaluate_my_pairs(methods, inputs, metrics, config, out, session);
  std::vector<std::string> names;
  for (const auto& method : methods) names.push_back(method.name);
  const auto rows = gather_rows(mine_rows, *communicator, names);
  communicator->barrier();
  if (session.rank() != 0) return 0;

  write_metrics_csv(out / "metrics.csv", rows);
  const EvalSummary summary =
      summarize(rows, set_measures(methods, rows, inputs.contents, inputs.styles, inputs.style_stats), metrics.network_name());
  const std::string markdown = write_summaries(out, summary);
  const std::vector<std::string> images = write_evaluation_figures(out, methods, inputs);
  write_report_html(out, summary, images);
  fmt::print("{}\nwrote {} (metrics.csv, summary.md, report.html and {} figure(s))\n", markdown, out.string(), images.size());
  return 0;
}

}  // namespace varstyle
