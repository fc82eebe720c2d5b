// Typed configuration: one struct per YAML section, field names equal to the keys, defaults
// in-class. Each struct lists its fields once in visit(); loading, overrides, validation and
// printing all walk that list (config_schema.h), so a key cannot be known to one and not another.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/config_enums.h"

namespace varstyle {

// Bounds for numeric fields (inclusive).
struct Range {
  double min;
  double max;
};
// The allowed values of a string field (enum fields list theirs in config_enums.h).
struct Choices {
  std::vector<std::string> values;
};
// model.kind's values; eval.methods keeps these names for checkpoints of that kind.
inline const std::vector<std::string> kModelKinds{"vst", "wae", "adain", "linear"};
// eval.methods: each entry NAME:CHECKPOINT, gatys or identity, names usable as folder names and
// used once, so that a bad list is refused at load and not after the evaluation's work.
struct MethodList {};

struct DataConfig {
  std::string content;            // varstyle-prep output folder of content images (manifest.json)
  std::string style;              // varstyle-prep output folder of style images
  int64_t batch_size = 8;         // images per rank and step, for each of content and style
  int64_t global_batch = 0;       // images per step over all ranks; 0: batch_size x ranks. When
                                  // set it decides, and batch_size becomes global_batch / ranks.
                                  // The trainer writes both into the run's config.yaml, and a
                                  // resume on another rank count keeps the global batch
  int64_t size = 256;             // training crop size (at most the stored image size)
  bool random_crop = true;        // random crop position; off = centre crop
  bool hflip = true;              // random horizontal flip with probability 1/2
  double style_grey = 0.0;        // probability that a training style image is shown as its
                                  // luma (grey): photographed textures are often nearly grey
  double style_soft = 0.0;        // probability that a training style image is shown with its
                                  // contrast lowered: photographed textures (paper, slate) often
                                  // vary far less than drawn ones
  double style_soft_floor = 0.25; // the lowered contrast's factor is uniform in [floor, 1]
  double style_hue = 0.0;         // probability that a training style image is shown with its
                                  // colours turned about the grey axis by a uniform angle: the
                                  // procedural styles hold 8 palettes, photographs any
  int64_t prefetch = 4;           // batches prepared ahead by the background thread
  bool verify_checksums = true;   // check each image against its stored checksum on read

  template <typename V>
  void visit(V& v) {
    v("content", content);
    v("style", style);
    v("batch_size", batch_size, Range{1, 1 << 16});
    v("global_batch", global_batch, Range{0, 1 << 20});
    v("size", size, Range{8, 4096});
    v("random_crop", random_crop);
    v("hflip", hflip);
    v("style_grey", style_grey, Range{0.0, 1.0});
    v("style_soft", style_soft, Range{0.0, 1.0});
    v("style_soft_floor", style_soft_floor, Range{0.0, 1.0});
    v("style_hue", style_hue, Range{0.0, 1.0});
    v("prefetch", prefetch, Range{1, 256});
    v("verify_checksums", verify_checksums);
  }
};

struct ModelConfig {
  std::string kind = "vst";            // vst | wae | adain | linear
  double width = 1.0;                  // channel multiplier of every network (0.25: CPU demos)
  std::string encoder_weights;         // VGG19 weights: Keras .h5 or torch zip; "" = random
  Padding padding = Padding::kReflect; // reflect | zero, for encoder and decoder convolutions
  int64_t latent_dim = 64;             // style code size (vst; wae's style part)
  int64_t content_dim = 64;            // wae: channels of the content part of the latent
  int64_t adain_stages = 1;            // vst, wae: AdaIN from the code at the decoder's input (1),
                                       // also at 1-2 later decoder stages
  ContentEncoder content_encoder = ContentEncoder::kVgg;  // vst: vgg (frozen prefix to the encoder
                                       // depth) | shallow (trained)
  std::string encoder_depth = "relu4_1";  // the tap where content and style meet and the decoder
                                       // starts: relu4_1 (the papers', with pretrained weights) |
                                       // relu3_1 | relu2_1 (random weights keep the layout there)
  int64_t linear_dim = 32;             // linear: size of the transformation matrix
  double decoder_noise = 0.0;          // initial strength of the decoder's per-pixel noise inputs,
                                       // its source for the style's patterns; 0 = none
  double decoder_coarse_noise = 0.0;   // initial strength of one more noise map at the decoder's
                                       // input, drawn at 1/decoder_coarse_factor of its resolution
                                       // and upsampled: patterns larger than its convolutions
                                       // see; 0 = none
  int64_t decoder_coarse_factor = 2;
  CoarseSpectrum decoder_coarse_spectrum = CoarseSpectrum::kFlat;  // the coarse map's spectrum:
                                       // flat (white noise upsampled by decoder_coarse_factor) |
                                       // style (the style's: vst and wae predict it from their
                                       // code, trained by loss.spectrum; adain and linear
                                       // measure it on the style's features)
  int64_t spectrum_dim = 4;            // vst, wae with decoder_coarse_spectrum: style: code dimensions,
                                       // after latent_dim, that carry the style's spectrum
  std::vector<std::string> style_encoder_moments;  // vst, wae: taps (rgb, relu1_1, relu2_1, relu3_1)
                                       // whose per-channel means and spreads E_s reads beside its
                                       // relu3_1 convolutions: the statistics the style losses
                                       // match, handed to the code directly; none by default
  bool code_colour = false;            // wae: the code also sets a colour transform of the output
                                       // (nets/code_colour.h): the palette directly, not only
                                       // through the decoder's features; linear: the transformed
                                       // features' channel means and spreads set it
  int64_t init_seed = 0;               // seed of every randomly initialised weight

  template <typename V>
  void visit(V& v) {
    v("kind", kind, Choices{kModelKinds});
    v("width", width, Range{0.01, 4.0});
    v("encoder_weights", encoder_weights);
    v("padding", padding);
    v("latent_dim", latent_dim, Range{1, 4096});
    v("content_dim", content_dim, Range{1, 4096});
    v("adain_stages", adain_stages, Range{1, 3});
    v("content_encoder", content_encoder);
    v("encoder_depth", encoder_depth, Choices{{"relu4_1", "relu3_1", "relu2_1"}});
    v("linear_dim", linear_dim, Range{2, 256});
    v("decoder_noise", decoder_noise, Range{0.0, 10.0});
    v("decoder_coarse_noise", decoder_coarse_noise, Range{0.0, 10.0});
    v("decoder_coarse_factor", decoder_coarse_factor, Range{2, 16});
    v("decoder_coarse_spectrum", decoder_coarse_spectrum);
    v("spectrum_dim", spectrum_dim, Range{1, 4096});
    v("style_encoder_moments", style_encoder_moments);
    v("code_colour", code_colour);
    v("init_seed", init_seed, Range{0, 9007199254740991.0});
  }
};

// Loss weights (0 = the term is not computed at all) and the loss network.
struct LossConfig {
  LossNetwork network = LossNetwork::kVgg19;  // loss network: vgg19 | resnet
  std::string network_weights;         // "" = model.encoder_weights for vgg19, random for resnet
  bool swag = false;                   // SWAG smoothing before Gram / W2 (Wang, Li & Vasconcelos)
  double swag_temperature = 1.0;       // SWAG: softmax of activations / temperature
  double content = 1.0;
  std::vector<std::string> content_layers = {"relu4_1"};
  ContentTarget content_target = ContentTarget::kAdain;  // adain: the decoder's input (AdaIN target; linear: transformed features) | content
                                       // | styled: the content's features at each content layer with the style's per-channel
                                       // mean and spread there (its layout, not its flat regions)
  double style_gram = 1.0;
  double style_moments = 0.0;
  double style_w2 = 0.0;
  double w2_eps = 1e-5;                // W2: covariances get w2_eps x their mean variance added
                                       // to the diagonal (a relative eigenvalue floor)
  std::vector<std::string> style_layers = {"relu1_1", "relu2_1", "relu3_1", "relu4_1"};
  std::vector<double> style_layer_weights;  // one per style layer; empty = 1 each
  std::vector<std::string> style_w2_layers;  // the style layers W2 compares; empty = all. [rgb]:
                                       // the pixels' full colour covariance, which per-channel
                                       // moments miss (a grey style's channels move together)
  double disentangle = 0.0;
  double disentangle_margin = 0.0;
  double kl = 0.0;
  int64_t kl_warmup = 0;               // steps over which the KL weight rises linearly from 0
  double kl_free_bits = 0.0;           // nats per code dimension the KL term does not penalise
                                       // (Kingma et al. 2016): keeps the code from collapsing
  double mmd = 0.0;                    // wae: MMD of latent codes against N(0, I)
  double logvar = 0.0;                 // wae: lambda of the log-variance regulariser
  LogvarOn logvar_on = LogvarOn::kContent;  // none | content | style | both
  double reconstruction = 0.0;         // wae: reconstruction of the content image
  double tv = 0.0;
  double range = 0.0;                  // penalty on output pixels outside [0, 1]
  double spectrum = 0.0;               // vst, wae with model.decoder_coarse_spectrum: style: squared
                                       // error of the spectrum predicted from the code

  template <typename V>
  void visit(V& v) {
    v("network", network);
    v("network_weights", network_weights);
    v("swag", swag);
    v("swag_temperature", swag_temperature, Range{1e-6, 1e6});
    v("content", content, Range{0, 1e12});
    v("content_layers", content_layers);
    v("content_target", content_target);
    v("style_gram", style_gram, Range{0, 1e12});
    v("style_moments", style_moments, Range{0, 1e12});
    v("style_w2", style_w2, Range{0, 1e12});
    v("w2_eps", w2_eps, Range{1e-12, 1.0});
    v("style_layers", style_layers);
    v("style_layer_weights", style_layer_weights, Range{0, 1e12});
    v("style_w2_layers", style_w2_layers);
    v("disentangle", disentangle, Range{0, 1e12});
    v("disentangle_margin", disentangle_margin, Range{0, 1e12});
    v("kl", kl, Range{0, 1e12});
    v("kl_warmup", kl_warmup, Range{0, 1e12});
    v("kl_free_bits", kl_free_bits, Range{0, 1e3});
    v("mmd", mmd, Range{0, 1e12});
    v("logvar", logvar, Range{0, 1e12});
    v("logvar_on", logvar_on);
    v("reconstruction", reconstruction, Range{0, 1e12});
    v("tv", tv, Range{0, 1e12});
    v("range", range, Range{0, 1e12});
    v("spectrum", spectrum, Range{0, 1e12});
  }
};

struct OptimConfig {
  double lr = 1e-4;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;                   // Adam's epsilon
  double weight_decay = 0.0;
  Schedule schedule = Schedule::kInverse;  // constant | inverse: lr / (1 + decay step) | cosine
  double decay = 5e-5;                 // inverse schedule's decay (AdaIN: 5e-5, Linear: 1e-5)
  int64_t warmup = 0;                  // steps of linear warm-up from 0
  double grad_clip = 0.0;              // clip the global gradient norm to this; 0 = off

  template <typename V>
  void visit(V& v) {
    v("lr", lr, Range{0, 10});
    v("beta1", beta1, Range{0, 1});
    v("beta2", beta2, Range{0, 1});
    v("eps", eps, Range{0, 10});
    v("weight_decay", weight_decay, Range{0, 10});
    v("schedule", schedule);
    v("decay", decay, Range{0, 10});
    v("warmup", warmup, Range{0, 1e12});
    v("grad_clip", grad_clip, Range{0, 1e12});
  }
};

struct TrainConfig {
  int64_t steps = 1000;                // optimiser steps
  int64_t seed = 0;                    // keys every random stream: sampler order, crops, flips, noise
  int64_t log_every = 10;              // metrics.jsonl line and progress line every N steps
  int64_t ckpt_every = 500;            // checkpoint every N steps (and at the end)
  int64_t keep_last = 3;               // complete checkpoints kept
  int64_t threads = 0;                 // CPU threads per rank; 0 = cores / ranks on the node
  int64_t accumulate = 1;              // micro-steps per optimiser step (only the last all-reduces)
  OnNonfinite on_nonfinite = OnNonfinite::kAbort;  // abort | skip (the step)
  bool timeline = false;               // Chrome-trace JSON per rank (RUN/timeline-rank*.json)
  bool time_split = true;              // data/forward/backward/reduce/optimizer split in the log; on CUDA
                                       // each phase edge waits for the device (false: no waits, no split)
  bool bf16 = false;                   // bf16 autocast on CUDA or the CPU (statistics fp32, W2 fp64)
  bool channels_last = false;          // CUDA: channels-last memory format
  int64_t grid_size = 4;               // contents and styles in the final RUN/grid.png (0: none)

  template <typename V>
  void visit(V& v) {
    v("steps", steps, Range{1, 1e12});
    v("seed", seed, Range{0, 9007199254740991.0});
    v("log_every", log_every, Range{1, 1e12});
    v("ckpt_every", ckpt_every, Range{1, 1e12});
    v("keep_last", keep_last, Range{1, 1e6});
    v("threads", threads, Range{0, 1024});
    v("accumulate", accumulate, Range{1, 1e6});
    v("on_nonfinite", on_nonfinite);
    v("timeline", timeline);
    v("time_split", time_split);
    v("bf16", bf16);
    v("channels_last", channels_last);
    v("grid_size", grid_size, Range{0, 16});
  }
};

struct DistConfig {
  DistBackend backend = DistBackend::kAuto;  // auto (nccl on CUDA, mpi on the CPU) | nccl | mpi
  // Gradient bucket size. 5 MiB, not PyTorch DDP's 25: these models' gradients are 13-34 MiB, so
  // past the first bucket a 25 MiB one fills only when backward is over and nothing else
  // overlaps it (docs/scaling.md).
  double bucket_mb = 5.0;
  double first_bucket_mb = 1.0;        // the first bucket (last layers) is small so it starts early
  double timeout_s = 600.0;            // NCCL: a collective unfinished after this aborts the job, naming the rank

  template <typename V>
  void visit(V& v) {
    v("backend", backend);
    v("bucket_mb", bucket_mb, Range{0.001, 4096});
    v("first_bucket_mb", first_bucket_mb, Range{0.001, 4096});
    v("timeout_s", timeout_s, Range{1, 86400});
  }
};

// The evaluator (varstyle eval): methods compared on the same pairs with one fixed network.
struct EvalConfig {
  std::string content;                 // image folder or varstyle-prep output
  std::string style;                   // image folder or varstyle-prep output
  int64_t size = 256;                  // evaluation resolution (centre crop)
  int64_t contents = 4;                // at most this many content images (sorted order)
  int64_t styles = 4;                  // at most this many style images
  std::vector<std::string> methods = {"identity", "gatys"};  // NAME:CHECKPOINT, gatys, identity
  std::string network_weights;         // evaluation VGG19 weights; "" = random, seed 0 (named in the output)
  double network_width = 1.0;
  int64_t gatys_steps = 100;
  std::string gatys_optimizer = "lbfgs";  // lbfgs | adam
  double gatys_lr = 1.0;
  double gatys_content_weight = 1.0;
  double gatys_style_weight = 1000.0;  // Gatys: 1e3 / n^2 per layer (the 1 / n^2 is applied per tap)
  int64_t timing_repeats = 3;          // stylisations timed per pair after one warm-up
  // CPU threads per rank; 0 = cores / ranks on the node. The metrics' float sums depend on the
  // thread count, so a fixed number gives the same digits on any number of ranks.
  int64_t threads = 0;

  template <typename V>
  void visit(V& v) {
    v("content", content);
    v("style", style);
    v("size", size, Range{32, 4096});  // relu5_1 of the evaluation network needs 2x2
    v("contents", contents, Range{1, 100000});
    v("styles", styles, Range{1, 100000});
    v("methods", methods, MethodList{});
    v("network_weights", network_weights);
    v("network_width", network_width, Range{0.01, 4.0});
    v("gatys_steps", gatys_steps, Range{1, 100000});
    v("gatys_optimizer", gatys_optimizer, Choices{{"lbfgs", "adam"}});
    v("gatys_lr", gatys_lr, Range{1e-6, 1e6});
    v("gatys_content_weight", gatys_content_weight, Range{0, 1e12});
    v("gatys_style_weight", gatys_style_weight, Range{0, 1e12});
    v("timing_repeats", timing_repeats, Range{1, 1000});
    v("threads", threads, Range{0, 1024});
  }
};

struct Config {
  DataConfig data;
  ModelConfig model;
  LossConfig loss;
  OptimConfig optim;
  TrainConfig train;
  DistConfig dist;
  EvalConfig eval;

  template <typename V>
  void visit(V& v) {
    v("data", data);
    v("model", model);
    v("loss", loss);
    v("optim", optim);
    v("train", train);
    v("dist", dist);
    v("eval", eval);
  }
};

// Loads `file` and applies `overrides` ("section.key=value", value in YAML syntax).
// Throws ConfigError naming the file:line (or the override), the key path and the reason.
Config load_config(const std::filesystem::path& file, const std::vector<std::string>& overrides);
// Defaults plus overrides, with no file.
Config config_from_overrides(const std::vector<std::string>& overrides);

// The resolved configuration as YAML, every key present, in declaration order.
std::string config_to_yaml(const Config& config);

// Every key path ("data.batch_size"), in declaration order.
std::vector<std::string> config_keys();

// "did you mean" help: the closest of `candidates` to `word`, or "" when none is close.
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);

// Why `name` cannot be one folder or file name inside an output (method names, sweep names), or
// "" when it can: 1 to 64 of A-Z a-z 0-9 _ . + -, not starting with '.' or '-'.
std::string folder_name_problem(const std::string& name);

}  // namespace varstyle
