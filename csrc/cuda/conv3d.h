// The CUDA kernels of ember/ops/conv3d.h (device memory), as listed in core/kernels/conv3d.inc.
// Only the direct kernels exist on CUDA: the variant argument is accepted and ignored.
#pragma once

#include "core/conv3d_scalar.h"
#include "core/conv_scalar.h"
#include "ember/dtype.h"

namespace ember::cuda {
#include "core/kernels/conv3d.inc"
}  // namespace ember::cuda
