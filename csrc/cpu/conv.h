// The CPU kernels of ember/ops/conv.h (host memory), as listed in core/kernels/conv.inc.
#pragma once

#include "core/conv_scalar.h"
#include "ember/dtype.h"

namespace ember::cpu {
#include "core/kernels/conv.inc"
}  // namespace ember::cpu
