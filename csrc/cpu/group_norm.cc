// GroupNorm on the CPU: the kernels of core/kernels/group_norm.inc run the best instruction-set
// variant of cpu/group_norm.simd.cc.
#include "cpu/group_norm.h"

namespace ember::cpu {

EMBER_DEFINE_DISPATCH(group_norm_fn, group_norm_stub);
EMBER_DEFINE_DISPATCH(group_norm_backward_fn, group_norm_backward_stub);

void group_norm_kernel(const void* x, const void* weight, const void* bias, void* y,
                       double* mean, double* rstd, DType dtype, int64_t N, int64_t C,
                       int64_t L, int64_t G, double eps) {
  group_norm_stub(x, weight, bias, y, mean, rstd, dtype, N, C, L, G, eps);
}

void group_norm_backward_kernel(const void* grad, const void* x, const double* mean,
                                const double* rstd, const void* weight, void* dx, void* dweight,
                                void* dbias, double* sums, DType dtype, int64_t N, int64_t C,
                                int64_t L, int64_t G) {
  group_norm_backward_stub(grad, x, mean, rstd, weight, dx, dweight, dbias, sums, dtype, N, C,
                           L, G);
}

}  // namespace ember::cpu
