// The CPU kernels of ember/ops/dropout.h (host memory), as listed in core/kernels/dropout.inc.
#pragma once

#include <cstdint>

#include "ember/dtype.h"

namespace ember::cpu {
#include "core/kernels/dropout.inc"
}  // namespace ember::cpu
