// The CUDA kernels of ember/ops/upsample.h (device memory),
// as listed in core/kernels/upsample.inc.
#pragma once

#include "core/upsample_scalar.h"
#include "ember/dtype.h"

namespace ember::cuda {
#include "core/kernels/upsample.inc"
}  // namespace ember::cuda
