// CUDA kernels of ember/ops/optim.h, with the signatures of the CPU stubs (cpu/optim.h): the
// buffers are in device memory.
#pragma once

#include "core/optim_update.h"

namespace ember::cuda {

#define EMBER_DECLARE_OPTIM_KERNEL(name, Name) \
  void name##_step(const optim::Buffers& buffers, const ops::Name##Options& options);
EMBER_FOR_EACH_OPTIMIZER(EMBER_DECLARE_OPTIM_KERNEL)
#undef EMBER_DECLARE_OPTIM_KERNEL

}  // namespace ember::cuda
