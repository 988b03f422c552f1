// The CUDA kernels of ember/ops/embedding.h (device memory), as listed in core/kernels/embedding.inc.
#pragma once

#include <cstdint>

#include "ember/dtype.h"

namespace ember::cuda {
#include "core/kernels/embedding.inc"
}  // namespace ember::cuda
