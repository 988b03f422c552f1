// The CPU kernels of ember/ops/group_norm.h (host memory), as listed in
// core/kernels/group_norm.inc.
#pragma once

#include <cstdint>

#include "ember/dtype.h"

namespace ember::cpu {
#include "core/kernels/group_norm.inc"
}  // namespace ember::cpu

#include "cpu/dispatch.h"

namespace ember::cpu {
// The instruction-set variants behind the kernels above (cpu/group_norm.simd.cc).
using group_norm_fn = void (*)(const void* x, const void* weight, const void* bias, void* y,
                               double* mean, double* rstd, DType dtype, int64_t N, int64_t C,
                               int64_t L, int64_t G, double eps);
using group_norm_backward_fn = void (*)(const void* grad, const void* x, const double* mean,
                                        const double* rstd, const void* weight, void* dx,
                                        void* dweight, void* dbias, double* sums, DType dtype,
                                        int64_t N, int64_t C, int64_t L, int64_t G);
EMBER_DECLARE_DISPATCH(group_norm_fn, group_norm_stub);
EMBER_DECLARE_DISPATCH(group_norm_backward_fn, group_norm_backward_stub);
}  // namespace ember::cpu
