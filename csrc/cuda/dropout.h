// The CUDA kernels of ember/ops/dropout.h (device memory), as listed in core/kernels/dropout.inc.
#pragma once

#include <cstdint>

#include "ember/dtype.h"

namespace ember::cuda {
#include "core/kernels/dropout.inc"
}  // namespace ember::cuda
