// The CUDA kernels of ember/ops/batch_norm.h (device memory), as listed in core/kernels/batch_norm.inc.
#pragma once

#include <cstdint>

#include "ember/dtype.h"

namespace ember::cuda {
#include "core/kernels/batch_norm.inc"
}  // namespace ember::cuda
