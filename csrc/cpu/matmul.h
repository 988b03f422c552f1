// The integer matrix product (floats use cpu::gemm): c[b] = a[b] @ b[b] for
// contiguous row-major (m, k) and (k, n) matrices found at element offsets a_offsets[b] and
// b_offsets[b] (broadcast batches share an offset); c is contiguous (batch, m, n).
#pragma once

#include <cstdint>

#include "cpu/dispatch.h"
#include "ember/dtype.h"

namespace ember::cpu {

using matmul_fn = void (*)(DType dtype, const void* a, const int64_t* a_offsets, const void* b,
                           const int64_t* b_offsets, void* c, int64_t batch, int64_t m,
                           int64_t k, int64_t n);
EMBER_DECLARE_DISPATCH(matmul_fn, matmul_stub);

}  // namespace ember::cpu
