// The CPU kernels of ember/ops/conv3d.h (host memory), as listed in core/kernels/conv3d.inc.
#pragma once

#include "core/conv3d_scalar.h"
#include "core/conv_scalar.h"
#include "ember/dtype.h"

namespace ember::cpu {
#include "core/kernels/conv3d.inc"
}  // namespace ember::cpu
