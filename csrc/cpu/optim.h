// CPU kernels of ember/ops/optim.h: one stub per algorithm, name##_step_stub, each running the
// rule of core/optim_update.h over the buffers (host memory) in parallel chunks.
#pragma once

#include "core/optim_update.h"
#include "cpu/dispatch.h"

namespace ember::cpu {

#define EMBER_DECLARE_OPTIM_STUB(name, Name)                                                \
  using name##_step_fn = void (*)(const optim::Buffers& buffers, const ops::Name##Options& o); \
  EMBER_DECLARE_DISPATCH(name##_step_fn, name##_step_stub);
EMBER_FOR_EACH_OPTIMIZER(EMBER_DECLARE_OPTIM_STUB)
#undef EMBER_DECLARE_OPTIM_STUB

}  // namespace ember::cpu
