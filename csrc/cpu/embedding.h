// The CPU kernels of ember/ops/embedding.h (host memory), as listed in core/kernels/embedding.inc.
#pragma once

#include <cstdint>

#include "ember/dtype.h"

namespace ember::cpu {
#include "core/kernels/embedding.inc"
}  // namespace ember::cpu
