// The CUDA kernels of ember/ops/pad.h (device memory), as listed in core/kernels/pad.inc.
#pragma once

#include "core/pad_scalar.h"
#include "ember/dtype.h"

namespace ember::cuda {
#include "core/kernels/pad.inc"
}  // namespace ember::cuda
