// The CUDA kernels of ember/ops/pool.h (device memory), as listed in core/kernels/pool.inc.
#pragma once

#include "core/pool_scalar.h"
#include "ember/dtype.h"

namespace ember::cuda {
#include "core/kernels/pool.inc"
}  // namespace ember::cuda
