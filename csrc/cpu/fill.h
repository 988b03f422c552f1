// Kernels of ember/ops/creation.h.
#pragma once

#include "core/tensor_iter.h"
#include "cpu/dispatch.h"

namespace ember::cpu {

// iter operands: (dst). value points to one element of dst's dtype, of size itemsize.
using fill_fn = void (*)(const TensorIter& iter, size_t itemsize, const void* value);
EMBER_DECLARE_DISPATCH(fill_fn, fill_stub);

// out: n contiguous elements of dtype: start + i * step, computed in the dtype for floating
// dtypes and in int64 for integer dtypes (the op layer truncated start and step for those).
void arange_kernel(void* out, DType dtype, int64_t n, double start, double step);
// out: n >= 2 contiguous elements of dtype, PyTorch's two-sided linspace formula.
void linspace_kernel(void* out, DType dtype, int64_t n, double start, double end);

}  // namespace ember::cpu
