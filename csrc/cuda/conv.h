// The CUDA kernels of ember/ops/conv.h (device memory), as listed in core/kernels/conv.inc.
// Only the direct kernels exist on CUDA: the variant argument is accepted and ignored.
#pragma once

#include "core/conv_scalar.h"
#include "ember/dtype.h"

namespace ember::cuda {
#include "core/kernels/conv.inc"
}  // namespace ember::cuda
