// The CPU kernels of ember/ops/pad.h (host memory), as listed in core/kernels/pad.inc.
#pragma once

#include "core/pad_scalar.h"
#include "ember/dtype.h"

namespace ember::cpu {
#include "core/kernels/pad.inc"
}  // namespace ember::cpu
