// i-k-j matrix product, blocked so that a panel of b stays in L2 and a strip of c's row in L1;
// the innermost loop runs along contiguous rows of b and c, so it vectorizes for every ISA.
// Four rows of a share each load of b.
#include <algorithm>
#include <cstring>

#include "cpu/matmul.h"
#include "ember/parallel.h"

namespace ember::cpu {
namespace EMBER_CPU_NS {
namespace {

constexpr int64_t kColumnBlock = 256;  // columns of b and c per strip
constexpr int64_t kDepthBlock = 128;   // rows of b per panel
constexpr int64_t kRowGroup = 4;       // rows of a that share each load of b

// c[rows, j0:j1] += a[rows, k0:k1] @ b[k0:k1, j0:j1] for `rows` consecutive rows (at most
// kRowGroup) starting at row i.
template <int kRows, class T>
void panel(const T* a, const T* b, T* c, int64_t i, int64_t k0, int64_t k1, int64_t j0,
           int64_t j1, int64_t K, int64_t N) {
  T* out[kRows];
  const T* arow[kRows];
  for (int r = 0; r < kRows; ++r) out[r] = c + (i + r) * N, arow[r] = a + (i + r) * K;
  for (int64_t k = k0; k < k1; ++k) {
    const T* brow = b + k * N;
    T coef[kRows];
    for (int r = 0; r < kRows; ++r) coef[r] = arow[r][k];
    for (int64_t j = j0; j < j1; ++j) {
      const T bj = brow[j];
      for (int r = 0; r < kRows; ++r) out[r][j] += coef[r] * bj;
    }
  }
}

template <class T>
void matmul_typed(const T* a, const int64_t* a_offsets, const T* b, const int64_t* b_offsets,
                  T* c, int64_t batch, int64_t M, int64_t K, int64_t N) {
  const int64_t row_cost = std::max<int64_t>(1, K * N);
  parallel_for(0, batch * M, std::max<int64_t>(1, kGrainSize / row_cost), [&](int64_t lo, int64_t hi) {
    // A chunk of rows may span batches; handle it one batch at a time.
    for (int64_t row = lo; row < hi;) {
      const int64_t bi = row / M, i0 = row % M;
      const int64_t i1 = std::min(M, i0 + (hi - row));
      const T* A = a + a_offsets[bi];
      const T* B = b + b_offsets[bi];
      T* C = c + bi * M * N;
      std::memset(static_cast<void*>(C + i0 * N), 0, sizeof(T) * (i1 - i0) * N);
      for (int64_t j0 = 0; j0 < N; j0 += kColumnBlock) {
        const int64_t j1 = std::min(N, j0 + kColumnBlock);
        for (int64_t k0 = 0; k0 < K; k0 += kDepthBlock) {
          const int64_t k1 = std::min(K, k0 + kDepthBlock);
          int64_t i = i0;
          for (; i + kRowGroup <= i1; i += kRowGroup)
            panel<kRowGroup>(A, B, C, i, k0, k1, j0, j1, K, N);
          for (; i < i1; ++i) panel<1>(A, B, C, i, k0, k1, j0, j1, K, N);
        }
      }
      row += i1 - i0;
    }
  });
}

void matmul_kernel(DType dtype, const void* a, const int64_t* a_offsets, const void* b,
                   const int64_t* b_offsets, void* c, int64_t batch, int64_t m, int64_t k,
                   int64_t n) {
  EMBER_DISPATCH_NUMERIC(dtype, "matmul", [&] {
    matmul_typed(static_cast<const scalar_t*>(a), a_offsets, static_cast<const scalar_t*>(b),
                 b_offsets, static_cast<scalar_t*>(c), batch, m, k, n);
  });
}

}  // namespace
}  // namespace EMBER_CPU_NS

EMBER_REGISTER_DISPATCH(matmul_stub, &EMBER_CPU_NS::matmul_kernel);

}  // namespace ember::cpu
