// The CPU kernels of ember/ops/upsample.h (host memory),
// as listed in core/kernels/upsample.inc.
#pragma once

#include "core/upsample_scalar.h"
#include "ember/dtype.h"

namespace ember::cpu {
#include "core/kernels/upsample.inc"
}  // namespace ember::cpu
