// The CPU kernels of ember/ops/pool.h (host memory), as listed in core/kernels/pool.inc.
#pragma once

#include "core/pool_scalar.h"
#include "ember/dtype.h"

namespace ember::cpu {
#include "core/kernels/pool.inc"
}  // namespace ember::cpu
