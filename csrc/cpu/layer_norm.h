// Kernels of ember/ops/layer_norm.h on the CPU. x is (rows, n) contiguous; weight and bias are n
// contiguous values or null; mean and rstd are (rows,) float64.
#pragma once

#include <cstdint>

#include "ember/dtype.h"

namespace ember::cpu {

// y = (x - mean) * rstd * weight + bias per row; writes y, mean, rstd.
void layer_norm_kernel(const void* x, const void* weight, const void* bias, void* y,
                       double* mean, double* rstd, DType dtype, int64_t rows, int64_t n,
                       double eps);
// From grad (rows, n): dx (null: not wanted) and, when dweight is not null, dweight and dbias
// (n each; dbias may be null) summed over rows.
void layer_norm_backward_kernel(const void* grad, const void* x, const double* mean,
                                const double* rstd, const void* weight, void* dx, void* dweight,
                                void* dbias, DType dtype, int64_t rows, int64_t n);

}  // namespace ember::cpu
