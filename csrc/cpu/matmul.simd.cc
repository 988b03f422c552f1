// The matrix product of integer tensors (floats go through the packed GEMM, csrc/cpu/gemm/):
// blocked so that a panel of b stays in L2, with a 4-row x 2-vector
// block of c held in registers over the panel's depth (four rows of a share each load of b);
// the innermost loops run along contiguous rows of b and c, so they vectorize for every ISA.
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

// Columns of c one register block holds per row: two vectors of this ISA.
template <class T>
constexpr int64_t kBlockColumns = 2 * (16 << EMBER_CAP_INDEX) / static_cast<int64_t>(sizeof(T));

// c[i:i+rows, j:j+W] += a[i:i+rows, k0:k1] @ b[k0:k1, j:j+W] with the block of c held in
// registers across the whole depth (rows = kRowGroup, W = kBlockColumns).
template <int kRows, int64_t W, class T>
void register_block(const T* a, const T* b, T* c, int64_t k0, int64_t k1, int64_t K, int64_t N) {
  T acc[kRows][W];
  for (int r = 0; r < kRows; ++r)
    for (int64_t w = 0; w < W; ++w) acc[r][w] = c[r * N + w];
  for (int64_t k = k0; k < k1; ++k) {
    const T* brow = b + k * N;
    for (int r = 0; r < kRows; ++r) {
      const T ar = a[r * K + k];
      for (int64_t w = 0; w < W; ++w) acc[r][w] += ar * brow[w];
    }
  }
  for (int r = 0; r < kRows; ++r)
    for (int64_t w = 0; w < W; ++w) c[r * N + w] = acc[r][w];
}

// The same for one row and any width (the edges of c).
template <class T>
void edge_block(const T* a, const T* b, T* c, int64_t k0, int64_t k1, int64_t width,
                int64_t N) {
  for (int64_t k = k0; k < k1; ++k) {
    const T ak = a[k];
    const T* brow = b + k * N;
    for (int64_t w = 0; w < width; ++w) c[w] += ak * brow[w];
  }
}

// c[i0:i1, j0:j1] += a[i0:i1, k0:k1] @ b[k0:k1, j0:j1].
template <class T>
void panel(const T* a, const T* b, T* c, int64_t i0, int64_t i1, int64_t k0, int64_t k1,
           int64_t j0, int64_t j1, int64_t K, int64_t N) {
  constexpr int64_t W = kBlockColumns<T>;
  int64_t i = i0;
  for (; i + kRowGroup <= i1; i += kRowGroup) {
    int64_t j = j0;
    for (; j + W <= j1; j += W)
      register_block<kRowGroup, W>(a + i * K, b + j, c + i * N + j, k0, k1, K, N);
    for (int64_t r = i; r < i + kRowGroup && j < j1; ++r)
      edge_block(a + r * K, b + j, c + r * N + j, k0, k1, j1 - j, N);
  }
  for (; i < i1; ++i) edge_block(a + i * K, b + j0, c + i * N + j0, k0, k1, j1 - j0, N);
}

// a[0:n] . b[0:n] with independent lanes: a matrix-vector product or dot product (n = 1 column
// in c) gets vectorized and its float32 rounding error grows with n / lanes, not n.
template <class T>
T dot(const T* a, const T* b, int64_t n) {
  constexpr int L = 256 / sizeof(T);
  T acc[L] = {};
  int64_t k = 0;
  for (; k + L <= n; k += L)
    for (int j = 0; j < L; ++j) acc[j] += a[k + j] * b[k + j];
  for (int j = 0; k < n; ++k, ++j) acc[j] += a[k] * b[k];
  for (int width = L / 2; width > 0; width /= 2)
    for (int j = 0; j < width; ++j) acc[j] += acc[j + width];
  return acc[0];
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
      if (N == 1) {
        for (int64_t i = i0; i < i1; ++i) C[i] = dot(A + i * K, B, K);
        row += i1 - i0;
        continue;
      }
      std::memset(static_cast<void*>(C + i0 * N), 0, sizeof(T) * (i1 - i0) * N);
      for (int64_t j0 = 0; j0 < N; j0 += kColumnBlock) {
        const int64_t j1 = std::min(N, j0 + kColumnBlock);
        for (int64_t k0 = 0; k0 < K; k0 += kDepthBlock) {
          const int64_t k1 = std::min(K, k0 + kDepthBlock);
          panel(A, B, C, i0, i1, k0, k1, j0, j1, K, N);
        }
      }
      row += i1 - i0;
    }
  });
}

void matmul_kernel(DType dtype, const void* a, const int64_t* a_offsets, const void* b,
                   const int64_t* b_offsets, void* c, int64_t batch, int64_t m, int64_t k,
                   int64_t n) {
  EMBER_DISPATCH_INTEGRAL(dtype, "matmul", [&] {
    matmul_typed(static_cast<const scalar_t*>(a), a_offsets, static_cast<const scalar_t*>(b),
                 b_offsets, static_cast<scalar_t*>(c), batch, m, k, n);
  });
}

}  // namespace
}  // namespace EMBER_CPU_NS

EMBER_REGISTER_DISPATCH(matmul_stub, &EMBER_CPU_NS::matmul_kernel);

}  // namespace ember::cpu
