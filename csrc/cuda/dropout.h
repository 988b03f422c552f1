// Kernels of ember/ops/dropout.h on CUDA devices (device memory). Buffers are contiguous, n elements each.
#pragma once

#include <cstdint>

#include "ember/dtype.h"

namespace ember::cuda {

// x, out: n of dtype (floating); mask: n bools. Draws the blocks [first, ...) of seed's stream.
void dropout_kernel(const void* x, void* out, bool* mask, DType dtype, int64_t n, uint64_t seed,
                    uint64_t first, double p);
// grad, out: n of dtype; mask: n bools. out = grad * (mask ? scale : 0).
void dropout_backward_kernel(const void* grad, const bool* mask, void* out, DType dtype,
                             int64_t n, double scale);

}  // namespace ember::cuda
