// Cache blocking without packing: the second rung of the ladder.
//   A: op(A) M x K, B: op(B) K x N, C: M x N (row strides lda, ldb, ldc).
//   acc: kMC x kNC per thread, the C block being summed (so beta and the epilogue are applied
//        once, when the block is written back).
// Blocks of C are independent, so threads split them; each block walks K in kKC slices so that
// the slice of B it reuses across kMC rows (kKC x kNC) stays in L2. The inner loop runs along
// a row of B and of acc, which the compiler vectorizes for the baseline ISA; a transposed B
// makes that loop strided, the cost packing removes in the next rung.
#include <algorithm>
#include <vector>

#include "core/gemm_epilogue.h"
#include "cpu/gemm/gemm.h"
#include "ember/parallel.h"

namespace ember::cpu {
namespace {
constexpr int64_t kMC = 64, kNC = 256, kKC = 256;
}

template <class T>
void gemm_blocked(const GemmArgs<T>& g) {
  const int64_t mblocks = (g.m + kMC - 1) / kMC, nblocks = (g.n + kNC - 1) / kNC;
  const int64_t grain = gemm_threads(g.m, g.n, g.k) > 1 ? 1 : mblocks * nblocks;
  parallel_for(0, mblocks * nblocks, grain, [&](int64_t begin, int64_t end) {
    std::vector<T> acc(kMC * kNC);
    for (int64_t blk = begin; blk < end; ++blk) {
      const int64_t i0 = blk / nblocks * kMC, j0 = blk % nblocks * kNC;
      const int64_t mc = std::min(kMC, g.m - i0), nc = std::min(kNC, g.n - j0);
      std::fill(acc.begin(), acc.end(), T(0));
      for (int64_t p0 = 0; p0 < g.k; p0 += kKC) {
        const int64_t kc = std::min(kKC, g.k - p0);
        for (int64_t i = 0; i < mc; ++i) {
          T* row = acc.data() + i * kNC;
          for (int64_t p = p0; p < p0 + kc; ++p) {
            const T a = g.trans_a ? g.a[p * g.lda + i0 + i] : g.a[(i0 + i) * g.lda + p];
            if (g.trans_b) {
              for (int64_t j = 0; j < nc; ++j) row[j] += a * g.b[(j0 + j) * g.ldb + p];
            } else {
              const T* b = g.b + p * g.ldb + j0;
              for (int64_t j = 0; j < nc; ++j) row[j] += a * b[j];
            }
          }
        }
      }
      for (int64_t i = 0; i < mc; ++i)
        for (int64_t j = 0; j < nc; ++j) {
          T* c = g.c + (i0 + i) * g.ldc + j0 + j;
          *c = baseline::finish(acc[i * kNC + j], c, g.alpha, g.beta, g.epilogue, i0 + i, j0 + j);
        }
    }
  });
}

template void gemm_blocked<float>(const GemmArgs<float>&);
template void gemm_blocked<double>(const GemmArgs<double>&);

}  // namespace ember::cpu
