// CPU GEMM, the kernel-level interface: raw pointers, sizes, transposes, leading dimensions.
//
//   C[M x N] = act(alpha * op(A) @ op(B) + beta * C + bias)
//
// Everything is row-major. op(A) is M x K: A itself (M rows of K, row stride lda) or, with
// trans_a, the transpose of a K x M matrix (K rows of M, row stride lda). The same for op(B)
// (K x N) with ldb, and C (M rows of N, row stride ldc). A column-major operand is the
// transpose of a row-major one, so flipping its trans flag takes it without a copy.
// As in BLAS, C is not read when beta == 0 (NaN or garbage in it does not leak through).
// bias and the activation form the epilogue, applied as each C tile is written back.
#pragma once

#include <cstdint>

namespace ember::cpu {

enum class Activation : uint8_t { None, ReLU, GELU, Sigmoid, Tanh };

// Where the bias vector runs: Row = a row of N values added to every row of C (Linear's
// bias, bias[j]); Column = a column of M values added to every column (bias[i]).
enum class BiasKind : uint8_t { None, Row, Column };

template <class T>
struct Epilogue {
  const T* bias = nullptr;  // contiguous, N (Row) or M (Column) values
  BiasKind bias_kind = BiasKind::None;
  Activation activation = Activation::None;
};

// The ladder of implementations, slowest first; Auto picks packing, threads and special
// paths (matrix-vector, unpacked B for few rows) from the shape.
enum class GemmVariant : uint8_t { Naive, Blocked, Packed, Auto };

template <class T>
struct GemmArgs {
  bool trans_a = false, trans_b = false;
  int64_t m = 0, n = 0, k = 0;
  T alpha = 1;
  const T* a = nullptr;
  int64_t lda = 0;
  const T* b = nullptr;
  int64_t ldb = 0;
  T beta = 0;
  T* c = nullptr;
  int64_t ldc = 0;
  Epilogue<T> epilogue;
};

// The entry point for the op layer (float and double). Leading dimensions must be at least the
// row length of the stored matrix (or 1 when it has no columns); the caller checks shapes.
template <class T>
void gemm(const GemmArgs<T>& args, GemmVariant variant = GemmVariant::Auto);

// The rungs of the ladder, each usable on its own (gemm() dispatches to them).
template <class T> void gemm_naive(const GemmArgs<T>& args);
template <class T> void gemm_blocked(const GemmArgs<T>& args);
// auto_plan = false: always pack both operands, split over threads by the usual rule;
// auto_plan = true: choose packing and threads from the shape.
template <class T> void gemm_packed(const GemmArgs<T>& args, bool auto_plan);

// Threads worth waking for an M x N x K product: 1 below a few microseconds of work, where
// waking a second core costs more than it saves; never more than ember::get_num_threads().
int gemm_threads(int64_t m, int64_t n, int64_t k);

}  // namespace ember::cpu
