// The CUDA kernels of ember/ops/conv.h (device memory), as listed in core/kernels/conv.inc.
// Variants: naive (the direct kernels), implicit_gemm (and im2col, which means it on CUDA), auto.
#pragma once

#include "core/conv_scalar.h"
#include "ember/dtype.h"

namespace ember::cuda {
#include "core/kernels/conv.inc"
}  // namespace ember::cuda
