// run_training: set-up (threads, device, communicator, model, data, resume) and the step loop.
#include "train/trainer.h"

#include <ATen/Parallel.h>
#include <spdlog/spdlog.h>
#include <torch/types.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/clock_text.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/thread_count.h"
#include "data/prefetch_loader.h"
#include "dist/communicator.h"
#include "dist/consistency.h"
#include "dist/device_info.h"
#include "dist/flat_parameters.h"
#include "dist/gradient_reducer.h"
#include "image/grid.h"
#include "models/style_model.h"
#include "nets/tensor_copy.h"
#include "nets/autocast_scope.h"
#include "checkpoint/checkpoint_store.h"
#include "train/metrics_log.h"
#include "train/flat_adam.h"
#include "train/host_reads.h"
#include "train/nonfinite_watch.h"
#include "train/phase_timer.h"
#include "train/preflight.h"
#include "train/rank_change.h"
#include "train/run_folder.h"
#include "train/schedule.h"
#include "train/signals.h"
#include "train/training_augment.h"

namespace varstyle {
namespace fs = std::filesystem;

namespace {

fs::path agree_on_run_dir(const TrainRequest& request, Communicator& communicator) {
  std::string mine = request.run_dir.string();
  if (mine.empty()) mine = (fs::path("runs") / timestamped_name(request.config_name)).string();
  return communicator.all_gather(mine).front();  // rank 0's choice
}

NamedTensors named_trainable(StyleModel& model) {
  NamedTensors tensors;
  for (const auto& item : model.named_parameters())
    if (item.value().requires_grad()) tensors.emplace_back(item.key(), item.value());
  return tensors;
}

// Runs a check that throws ConfigError on every rank alike, as an agreed refusal.
template <typename Check>
void agree_or_refuse(Check check) {
  try {
    check();
  } catch (const ConfigError& e) {
    throw AgreedError(e.what(), e.code(), fmt::format("rank 0/{} on {}", process_identity().world_size, process_identity().host));
  }
}

nlohmann::json sampler_json(const ShardedSampler::State& state) { return {{"epoch", state.epoch}, {"step", state.step}}; }
ShardedSampler::State sampler_state(const nlohmann::json& j) { return {j.at("epoch").get<int64_t>(), j.at("step").get<int64_t>()}; }

class Trainer {
 public:
  Trainer(const TrainRequest& request, const MpiSession& session);
  int run();

 private:
  void save(int64_t step);
  void resume();
  void write_grid();
  // The steps of one optimiser step, in order.
  bool stop_requested(int64_t step);  // collective; saves a checkpoint when true
  double begin_step(int64_t step);    // the step's learning rate; clears the gradients
  StepInput next_input(int64_t step);
  // Forward and backward on the next batches; non-finite terms are noted on the device.
  void micro_step(int64_t step, int64_t micro, PhaseTimer& timer, MetricsLog& metrics);
  // Gradient clipping, then Adam; skipped on the device where `apply` is false.
  void apply_update(double learning_rate, const at::Tensor& apply);
  // Collective, at log and checkpoint steps: abort or warn for non-finite steps (a host read).
  void report_nonfinite(int64_t step);
  void finish();  // grid, timeline, and a barrier

  Config config_;
  std::string config_yaml_;
  const MpiSession& session_;
  c10::Device device_{c10::kCPU};
  std::unique_ptr<Communicator> communicator_;
  fs::path run_dir_;
  std::shared_ptr<StyleModel> model_;
  NamedTensors trainable_;
  std::unique_ptr<FlatParameters> flat_;  // trainable values and gradients, one buffer each
  std::unique_ptr<FlatAdam> optimizer_;
  std::unique_ptr<NonfiniteWatch> nonfinite_;
  int64_t reported_step_ = -1;             // the step report_nonfinite last ran at
  std::unique_ptr<Timeline> timeline_;
  std::unique_ptr<GradientReducer> reducer_;
  std::shared_ptr<ShardedDataset> content_data_, style_data_;
  std::unique_ptr<ShardedSampler> content_sampler_, style_sampler_;
  std::unique_ptr<PrefetchLoader> content_loader_, style_loader_;
  std::unique_ptr<CheckpointStore> store_;
  std::unique_ptr<RunFolder> run_folder_;  // rank 0: holds the run folder's lock
  int64_t requested_batch_size_;           // data.batch_size as the config file gave it (rank_change.h)
  int64_t start_step_ = 0;
  int64_t last_saved_step_ = -1;           // the newest complete checkpoint on disk (-1: none)
};

// Rank 0 reads the run folder's newest checkpoint and decides the batch (train/rank_change.h);
// every rank takes its decision, or refuses with its problem.
std::optional<SavedRun> agree_on_batch(const TrainRequest& request, const fs::path& run_dir, Config& config,
                                       Communicator& communicator) {
  std::optional<SavedRun> saved;
  BatchPlan plan;
  if (communicator.rank() == 0) {
    try {
      saved = read_saved_run(run_dir);
      plan = plan_batch(config, communicator.size(), request.resume ? saved : std::nullopt, request.allowed_changes);
    } catch (const std::exception& e) {
      plan.problem = e.what();
    }
  }
  refuse_together(communicator, plan.problem);
  plan.global = std::stoll(communicator.all_gather(std::to_string(plan.global)).front());
  plan.per_rank = plan.global / communicator.size();
  config = with_batch(config, plan);
  return saved;
}

Trainer::Trainer(const TrainRequest& request, const MpiSession& session)
    : config_(request.config), session_(session), requested_batch_size_(request.config.data.batch_size) {
  const int threads = threads_per_rank(config_.train.threads, session.local_size());
  at::set_num_threads(threads);
  device_ = pick_device(request.device, session.local_rank(), session.local_size());
  communicator_ = make_communicator(config_.dist.backend, device_, config_.dist.timeout_s);
  run_dir_ = agree_on_run_dir(request, *communicator_);

  // Nothing is written until every check below passed on every rank. The configurations as
  // started are compared before the batch is resolved, which would hide a rank's other batch.
  agree_or_refuse([&] { check_ranks_agree(*communicator_, config_to_yaml(config_), {}); });
  const std::optional<SavedRun> saved = agree_on_batch(request, run_dir_, config_, *communicator_);
  config_yaml_ = config_to_yaml(config_);
  PreflightResult checked = preflight(config_, *communicator_, device_, session.local_size());
  content_data_ = std::move(checked.content);
  style_data_ = std::move(checked.style);
  model_ = std::move(checked.model);
  const NamedTensors state = module_tensors(*model_);
  agree_or_refuse([&] { check_ranks_agree(*communicator_, config_yaml_, state); });
  if (session.rank() == 0)
    run_folder_ = std::make_unique<RunFolder>(RunFolderRequest{run_dir_, config_, request.resume,
                                                               request.allowed_changes, session.size(), saved});
  refuse_together(*communicator_, run_folder_ ? run_folder_->problem() : "");
  if (run_folder_) run_folder_->record_settings(config_yaml_);
  communicator_->barrier();

  broadcast_from_rank0(*communicator_, state);
  trainable_ = named_trainable(*model_);
  std::vector<at::Tensor> parameters;
  for (const auto& [name, tensor] : trainable_) parameters.push_back(tensor);
  flat_ = std::make_unique<FlatParameters>(parameters);
  optimizer_ = std::make_unique<FlatAdam>(
      *flat_, AdamSettings{config_.optim.beta1, config_.optim.beta2, config_.optim.eps, config_.optim.weight_decay});
  nonfinite_ = std::make_unique<NonfiniteWatch>(device_);
  timeline_ = std::make_unique<Timeline>(config_.train.timeline, session.rank());
  if (communicator_->size() > 1)
    reducer_ = std::make_unique<GradientReducer>(*flat_, *communicator_, config_.dist.bucket_mb,
                                                 config_.dist.first_bucket_mb, timeline_.get());

  const auto seed = static_cast<uint64_t>(config_.train.seed);
  content_sampler_ = std::make_unique<ShardedSampler>(content_data_->size(), mix_keys(seed, 1), session.rank(),
                                                      session.size(), config_.data.batch_size);
  style_sampler_ = std::make_unique<ShardedSampler>(style_data_->size(), mix_keys(seed, 2), session.rank(),
                                                    session.size(), config_.data.batch_size);
  store_ = std::make_unique<CheckpointStore>(run_dir_ / "checkpoints", communicator_.get());
  if (request.resume) resume();
  // Lines a killed or earlier run left past the starting step would be duplicates.
  if (session.rank() == 0) MetricsLog::truncate_after(run_dir_ / "metrics.jsonl", start_step_);
  content_loader_ = std::make_unique<PrefetchLoader>(content_data_, *content_sampler_,
                                                     training_augment(config_.data, TrainingImages::kContent),
                                                     mix_keys(seed, 3), config_.data.prefetch, device_.is_cuda());
  style_loader_ = std::make_unique<PrefetchLoader>(style_data_, *style_sampler_,
                                                   training_augment(config_.data, TrainingImages::kStyle),
                                                   mix_keys(seed, 4), config_.data.prefetch, device_.is_cuda());
  spdlog::info("run {} | {} rank(s) on {} ({}), {} thread(s) each | {} | {}", run_dir_.string(), session.size(),
               device_.str(), communicator_->name(), threads, model_->describe(), describe_accelerators());
  log_bf16_choice(config_.train.bf16, device_);
  // Where each rank runs, on rank 0's log: node binding and thread counts are checked here.
  const std::string placement =
      fmt::format("rank {}/{} on {}: node-local rank {}/{}, {}, {} thread(s)", session.rank(), session.size(),
                  process_identity().host, session.local_rank(), session.local_size(), device_.str(), threads);
  for (const auto& line : communicator_->all_gather(placement)) spdlog::info("{}", line);
}

void Trainer::resume() {
  std::vector<std::string> skipped;
  const auto local = store_->latest_complete(&skipped);
  const int64_t step = std::stoll(communicator_->all_gather(std::to_string(local ? *local : -1)).front());
  for (const auto& folder : skipped) spdlog::warn("ignoring incomplete checkpoint {} (no DONE marker)", folder);
  if (step < 0) {
    spdlog::info("--resume auto: no complete checkpoint in {}; starting at step 0", store_->folder().string());
    return;
  }
  const fs::path folder = store_->step_folder(step);
  copy_tensors_by_name(module_tensors(*model_), store_->load_model(step), (folder / "model.h5").string(),
                       fmt::format("a {} model", config_.model.kind));
  optimizer_->restore(trainable_, store_->load_optimizer(step), (folder / "optim.h5").string());
  // Every rank's sampler stands at the same (epoch, step), so on another number of ranks (the
  // global batch kept, see agree_on_batch) each continues from rank 0's.
  auto state = nlohmann::json::parse(store_->load_rank_state(step, 0));
  const int written_by = state.at("world_size").get<int>();
  if (written_by == session_.size() && session_.rank() != 0)
    state = nlohmann::json::parse(store_->load_rank_state(step, session_.rank()));
  content_sampler_->restore(sampler_state(state.at("content_sampler")));
  style_sampler_->restore(sampler_state(state.at("style_sampler")));
  start_step_ = step;
  last_saved_step_ = step;
  spdlog::info("resumed from {} (step {}){}", folder.string(), step,
               written_by == session_.size()
                   ? std::string()
                   : fmt::format(", written by {} rank(s), on {}: global batch {}, {} per rank", written_by,
                                 session_.size(), config_.data.global_batch, config_.data.batch_size));
}

void Trainer::save(int64_t step) {
  const nlohmann::json state = {{"step", step},
                                {"rank", session_.rank()},
                                {"world_size", session_.size()},
                                {kRequestedBatchKey, requested_batch_size_},
                                {"content_sampler", sampler_json(content_loader_->state())},
                                {"style_sampler", sampler_json(style_loader_->state())},
                                {"rng", "keyed: every draw is a function of (train.seed, epoch, position)"}};
  report_nonfinite(step);  // never a checkpoint past a step that abort would have stopped at
  store_->save(step, module_tensors(*model_), optimizer_->state(trainable_), state.dump(2) + "\n", config_yaml_);
  last_saved_step_ = step;
  if (session_.rank() == 0) store_->prune(config_.train.keep_last);
}

void Trainer::write_grid() {
  const int64_t n = std::min({config_.train.grid_size, content_data_->size(), style_data_->size()});
  if (n <= 0 || session_.rank() != 0) return;
  std::vector<SampleKey> keys;
  for (int64_t i = 0; i < n; ++i) keys.push_back({i, 0, i});
  const AugmentOptions centre{config_.data.size, false, false};
  const at::Tensor contents = PrefetchLoader::load_batch(*content_data_, keys, centre, 0).images.to(device_);
  const at::Tensor styles = PrefetchLoader::load_batch(*style_data_, keys, centre, 0).images.to(device_);
  torch::NoGradGuard no_grad;
  model_->eval();
  const cv::Mat grid = stylization_grid(contents, styles, [&](const at::Tensor& c, const at::Tensor& s) { return model_->stylize(c, s); });
  model_->train();
  write_image(run_dir_ / "grid.png", grid);
  spdlog::info("wrote {}", (run_dir_ / "grid.png").string());
}

bool Trainer::stop_requested(int64_t step) {
  // Every rank must stop at the same step: agree on whether any rank saw a signal.
  if (communicator_->all_reduce_values({static_cast<double>(stop_signal())}, ReduceOp::kMax)[0] <= 0) return false;
  spdlog::warn("stop signal: checkpointing at step {} and exiting with code {} (requeue)", step,
               static_cast<int>(ExitCode::kPreempted));
  // A signal during start-up lands here, at the first step. The checkpoint may exist already
  // (the step resumed from, or one just written at train.ckpt_every).
  if (step != last_saved_step_) save(step);
  return true;
}

double Trainer::begin_step(int64_t step) {
  flat_->zero_grad();
  return learning_rate_at(config_.optim, step, config_.train.steps);
}

StepInput Trainer::next_input(int64_t step) {
  Batch content = content_loader_->next();
  Batch style = style_loader_->next();
  // On a GPU the batches arrive page-locked (the loaders pin them) and are copied without the
  // host waiting, ordered before the step's kernels on the same stream.
  StepInput input{content.images.to(device_, /*non_blocking=*/true), style.images.to(device_, /*non_blocking=*/true), {}, step};
  if (config_.train.channels_last && device_.is_cuda()) {
    input.content = input.content.contiguous(at::MemoryFormat::ChannelsLast);
    input.style = input.style.contiguous(at::MemoryFormat::ChannelsLast);
  }
  // Latent noise keyed by each content sample's (epoch, global position): rank-count invariant.
  const auto seed = static_cast<uint64_t>(config_.train.seed);
  for (const auto& key : content.keys)
    input.noise_keys.push_back(mix_keys(seed, 0x5EEDULL, static_cast<uint64_t>(key.epoch), static_cast<uint64_t>(key.position)));
  return input;
}

void Trainer::micro_step(int64_t step, int64_t micro, PhaseTimer& timer, MetricsLog& metrics) {
  const auto accumulate = static_cast<double>(config_.train.accumulate);
  StepInput input;
  {
    auto data = timer.phase("data");
    input = next_input(step);
  }
  LossTerms terms;
  at::Tensor loss;
  {
    auto forward = timer.phase("forward");
    {
      AutocastScope bf16(config_.train.bf16, device_.type());
      terms = model_->training_step(input);
    }
    loss = terms.total() / accumulate;
    nonfinite_->observe(terms, loss);
  }
  {
    auto backward = timer.phase("backward");
    if (reducer_) reducer_->set_sync(micro + 1 == config_.train.accumulate);
    loss.backward();
  }
  metrics.add_terms(terms, 1.0 / accumulate);
}

void Trainer::apply_update(double learning_rate, const at::Tensor& apply) {
  if (config_.optim.grad_clip > 0) optimizer_->clip_grad_norm(config_.optim.grad_clip);
  optimizer_->step(learning_rate, apply);
}

void Trainer::report_nonfinite(int64_t step) {
  if (reported_step_ == step) return;
  nonfinite_->report(config_.train.on_nonfinite, *communicator_);
  reported_step_ = step;
}

void Trainer::finish() {
  write_grid();
  if (timeline_->enabled())
    write_file_atomic(run_dir_ / fmt::format("timeline-rank{}.json", session_.rank()), timeline_->to_json());
  communicator_->barrier();
}

int Trainer::run() {
  const TrainConfig& train = config_.train;
  const int64_t images_per_step = config_.data.batch_size * session_.size() * train.accumulate;
  MetricsLog metrics(run_dir_ / "metrics.jsonl", *communicator_, train.steps, images_per_step);
  // With the time split on, every phase edge waits for a CUDA device (host clocks alone would time
  // only the enqueueing); off, nothing waits and no split is logged (the timeline, if on, then
  // shows enqueue times).
  PhaseTimer timer(
      *timeline_,
      [&metrics, split = train.time_split](const std::string& phase, double seconds) {
        if (split) metrics.add_time(phase, seconds);
      },
      train.time_split ? device_wait(device_) : nullptr);
  for (int64_t step = start_step_; step < train.steps; ++step) {
    if (stop_requested(step)) return static_cast<int>(ExitCode::kPreempted);
    const double learning_rate = begin_step(step);
    for (int64_t micro = 0; micro < train.accumulate; ++micro) micro_step(step, micro, timer, metrics);
    {
      auto reduce = timer.phase("reduce", "reduce wait");
      if (reducer_) reducer_->finalize();
    }
    const at::Tensor apply = nonfinite_->agree(step, *communicator_);
    {
      auto optimizer = timer.phase("optimizer");
      apply_update(learning_rate, apply);
    }
    metrics.step_done();

    const int64_t done = step + 1;
    if (done % train.log_every == 0 || done == train.steps) {
      communicator_->settle();  // the host waits for the collectives in flight only here
      report_nonfinite(done);
      metrics.flush(done, learning_rate);
    }
    if (done % train.ckpt_every == 0 || done == train.steps) save(done);
  }
  finish();
  return 0;
}

}  // namespace

int run_training(const TrainRequest& request, const MpiSession& session) {
  Trainer trainer(request, session);
  return trainer.run();
}

}  // namespace varstyle
