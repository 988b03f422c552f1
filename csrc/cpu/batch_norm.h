// The CPU kernels of ember/ops/batch_norm.h (host memory), as listed in core/kernels/batch_norm.inc.
#pragma once

#include <cstdint>

#include "ember/dtype.h"

namespace ember::cpu {
#include "core/kernels/batch_norm.inc"
}  // namespace ember::cpu
