// Kernels of ember/ops/batch_norm.h on the CPU. x is (N, C, L) contiguous (L: the product of
// the dims after the channel dim, 1 for 2-D input); weight and bias are C values or null; the
// statistics are C float64 values.
#pragma once

#include <cstdint>

#include "ember/dtype.h"

namespace ember::cpu {

// y = (x - mean[c]) * rstd[c] * weight[c] + bias[c]. training: mean and biased var of each
// channel's N * L elements are computed and written; otherwise they are read (running stats).
void batch_norm_kernel(const void* x, const void* weight, const void* bias, void* y,
                       double* mean, double* var, bool training, DType dtype, int64_t N,
                       int64_t C, int64_t L, double eps);
// From grad (N, C, L): dx (null: not wanted; training includes the statistics' gradient) and,
// when dweight is not null, dweight and dbias (C each; dbias may be null).
void batch_norm_backward_kernel(const void* grad, const void* x, const double* mean,
                                const double* var, const void* weight, void* dx, void* dweight,
                                void* dbias, bool training, DType dtype, int64_t N, int64_t C,
                                int64_t L, double eps);

}  // namespace ember::cpu
