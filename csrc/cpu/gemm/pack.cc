#include "cpu/gemm/pack.h"

#include <algorithm>
#include <cstring>

namespace ember::cpu {

// Whichever layout the operand has, the copy runs along its contiguous direction: one memcpy
// per row of the panel when the source rows match, a strided gather otherwise.
template <class T>
void pack_a_panel(const GemmArgs<T>& g, int64_t i0, int64_t p0, int64_t m, int64_t kc, int mr,
                  T* ap) {
  if (g.trans_a) {  // op(A)(i, p) = a[p * lda + i]: panel rows are contiguous in A
    for (int64_t p = 0; p < kc; ++p) {
      std::memcpy(ap + p * mr, g.a + (p0 + p) * g.lda + i0, m * sizeof(T));
      std::fill(ap + p * mr + m, ap + (p + 1) * mr, T(0));
    }
    return;
  }
  for (int64_t i = 0; i < m; ++i) {
    const T* row = g.a + (i0 + i) * g.lda + p0;
    for (int64_t p = 0; p < kc; ++p) ap[p * mr + i] = row[p];
  }
  for (int64_t i = m; i < mr; ++i)
    for (int64_t p = 0; p < kc; ++p) ap[p * mr + i] = T(0);
}

template <class T>
void pack_b_panel(const GemmArgs<T>& g, int64_t p0, int64_t j0, int64_t kc, int64_t n, int nr,
                  T* bp) {
  if (!g.trans_b) {  // op(B)(p, j) = b[p * ldb + j]: panel rows are contiguous in B
    for (int64_t p = 0; p < kc; ++p) {
      std::memcpy(bp + p * nr, g.b + (p0 + p) * g.ldb + j0, n * sizeof(T));
      std::fill(bp + p * nr + n, bp + (p + 1) * nr, T(0));
    }
    return;
  }
  for (int64_t j = 0; j < n; ++j) {
    const T* col = g.b + (j0 + j) * g.ldb + p0;
    for (int64_t p = 0; p < kc; ++p) bp[p * nr + j] = col[p];
  }
  for (int64_t j = n; j < nr; ++j)
    for (int64_t p = 0; p < kc; ++p) bp[p * nr + j] = T(0);
}

#define EMBER_GEMM_INSTANTIATE_PACK(T)                                                         \
  template void pack_a_panel<T>(const GemmArgs<T>&, int64_t, int64_t, int64_t, int64_t, int, \
                                T*);                                                           \
  template void pack_b_panel<T>(const GemmArgs<T>&, int64_t, int64_t, int64_t, int64_t, int, T*);
EMBER_GEMM_INSTANTIATE_PACK(float)
EMBER_GEMM_INSTANTIATE_PACK(double)
#undef EMBER_GEMM_INSTANTIATE_PACK

}  // namespace ember::cpu
