// The per-ISA pieces of the packed GEMM (microkernel.simd.cc, compiled once per instruction
// set): the register-blocked micro-kernel, the matrix-vector kernel, and the tile and cache
// block sizes tuned for that ISA. The driver (packed.cc) is compiled once and asks the
// dispatcher for the set that matches the CPU.
#pragma once

#include <cstdint>

#include "cpu/dispatch.h"
#include "cpu/gemm/gemm.h"

namespace ember::cpu {

// What the micro-kernel does when it writes its tile back into C.
template <class T>
struct TileWriteback {
  T alpha;
  T beta;             // 1 after the first K slice: later slices accumulate into C
  const T* bias_row;  // bias[j] for the tile's columns (already offset), or null
  const T* bias_col;  // bias[i] for the tile's rows (already offset), or null
  Activation activation;  // None except after the last K slice
};

// C[m x n] (m <= mr, n <= nr; row stride ldc) <- writeback(A_panel @ B_panel).
//   a: mr rows of kc values, A(i, p) at a[i * rsa + p * csa]: a packed panel (rsa = 1,
//      csa = mr, rows past m zero) or, when A is row-major and the panel whole, A's own rows
//      (rsa = lda, csa = 1).
//   b: kc rows of nr values, row p at b + p * ldb: a packed panel (ldb = nr, zero-padded) or
//      B's own rows when B is row-major and the panel is whole.
template <class T>
using microkernel_fn = void (*)(int64_t kc, const T* a, int64_t rsa, int64_t csa, const T* b,
                                int64_t ldb, T* c, int64_t ldc, int64_t m, int64_t n,
                                const TileWriteback<T>& wb);

// y[i] = sum_p A(i, p) * x[p] for i < m, p < k; A(i, p) = a[i * lda + p] when rows_contiguous,
// else a[p * lda + i]. x and y contiguous; y is overwritten.
template <class T>
using gemv_fn = void (*)(bool rows_contiguous, int64_t m, int64_t k, const T* a, int64_t lda,
                         const T* x, T* y);

template <class T>
struct GemmKernels {
  int mr, nr;              // register tile of C
  int64_t kc, mc, nc;      // cache blocks: A micro-panel mr x kc in L1, B block kc x nc in L2,
                           // A block mc x kc in L3
  microkernel_fn<T> tile;           // b is a packed panel
  microkernel_fn<T> tile_in_place;  // b is B itself (row stride ldb)
  gemv_fn<T> gemv;
  const char* name;
};

using gemm_kernels_f32_fn = const GemmKernels<float>* (*)();
using gemm_kernels_f64_fn = const GemmKernels<double>* (*)();
EMBER_DECLARE_DISPATCH(gemm_kernels_f32_fn, gemm_kernels_f32_stub);
EMBER_DECLARE_DISPATCH(gemm_kernels_f64_fn, gemm_kernels_f64_stub);

}  // namespace ember::cpu
