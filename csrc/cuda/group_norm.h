// The CUDA kernels of ember/ops/group_norm.h (device memory), as listed in
// core/kernels/group_norm.inc.
#pragma once

#include <cstdint>

#include "ember/dtype.h"

namespace ember::cuda {
#include "core/kernels/group_norm.inc"
}  // namespace ember::cuda
