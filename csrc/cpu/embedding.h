// Kernels of ember/ops/embedding.h on the CPU.
#pragma once

#include <cstdint>

#include "ember/dtype.h"

namespace ember::cpu {

// The gradient of an embedding lookup: out[r] = sum of grad[i] over the i with indices[i] == r,
// zero for r == padding_idx (-1: none).
//   grad: (n, dim) contiguous of dtype; indices: n contiguous int64 in [0, num_weights);
//   out: (num_weights, dim) contiguous of dtype, every element written.
void embedding_backward_kernel(const void* grad, const int64_t* indices, void* out, DType dtype,
                               int64_t n, int64_t dim, int64_t num_weights,
                               int64_t padding_idx);

}  // namespace ember::cpu
