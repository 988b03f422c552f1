// The CPU kernels of ember/ops/layer_norm.h (host memory), as listed in core/kernels/layer_norm.inc.
#pragma once

#include <cstdint>

#include "ember/dtype.h"

namespace ember::cpu {
#include "core/kernels/layer_norm.inc"
}  // namespace ember::cpu
