// The CUDA kernels of ember/ops/layer_norm.h (device memory), as listed in core/kernels/layer_norm.inc.
#pragma once

#include <cstdint>

#include "ember/dtype.h"

namespace ember::cuda {
#include "core/kernels/layer_norm.inc"
}  // namespace ember::cuda
