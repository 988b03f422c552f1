// The reference: one dot product per element of C, in the order a textbook writes it.
// Single-threaded and unblocked on purpose: every other variant is tested against it.
//   A: op(A) is M x K, B: op(B) is K x N, C: M x N (row strides lda, ldb, ldc).
#include "core/gemm_epilogue.h"
#include "cpu/gemm/gemm.h"

namespace ember::cpu {

template <class T>
void gemm_naive(const GemmArgs<T>& g) {
  for (int64_t i = 0; i < g.m; ++i) {
    for (int64_t j = 0; j < g.n; ++j) {
      T acc = 0;
      for (int64_t p = 0; p < g.k; ++p) {
        const T a = g.trans_a ? g.a[p * g.lda + i] : g.a[i * g.lda + p];
        const T b = g.trans_b ? g.b[j * g.ldb + p] : g.b[p * g.ldb + j];
        acc += a * b;
      }
      T* c = g.c + i * g.ldc + j;
      *c = baseline::finish(acc, c, g.alpha, g.beta, g.epilogue, i, j);
    }
  }
}

template void gemm_naive<float>(const GemmArgs<float>&);
template void gemm_naive<double>(const GemmArgs<double>&);

}  // namespace ember::cpu
