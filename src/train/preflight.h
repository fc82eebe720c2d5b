// What `varstyle train` checks before it writes anything: values that pass their ranges but
// cannot work, the weight files, the datasets against data.size and the global batch, and the
// model's shapes on one real batch. Each stage ends with every rank agreeing (refuse_together), so
// a problem on any rank ends the job with exit 2 on all of them, naming the key and the rank.
#pragma once

#include <memory>

#include <c10/core/Device.h>

#include "core/config.h"
#include "data/shard_dataset.h"
#include "dist/communicator.h"
#include "models/style_model.h"

namespace varstyle {

// The datasets and the model the checks opened and built, handed on to the trainer.
struct PreflightResult {
  std::shared_ptr<ShardedDataset> content, style;
  std::shared_ptr<StyleModel> model;  // on `device`, in training mode
};

// Collective. Throws AgreedError (exit 2) on every rank when any rank finds a problem.
PreflightResult preflight(const Config& config, Communicator& communicator, const c10::Device& device,
                          int local_ranks);

}  // namespace varstyle
