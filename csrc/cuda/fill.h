// CUDA kernels of ember/ops/creation.h, with the signatures of cpu/fill.h (device memory).
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/tensor_iter.h"

namespace ember::cuda {

// iter operands: (dst). value points (on the host) to one element of dst's dtype, of size
// itemsize.
void fill(const TensorIter& iter, size_t itemsize, const void* value);
// out: n contiguous elements, the formulas of ember/range_values.h.
void arange_kernel(void* out, DType dtype, int64_t n, double start, double step);
void linspace_kernel(void* out, DType dtype, int64_t n, double start, double end);

}  // namespace ember::cuda
