// The CUDA GEMM ladder: one kernel template per rung, each parameterized by its tile sizes and
// correct for every shape (M, N, K not multiples of a tile, K = 0, sizes of 1).
// Every kernel computes, for the problem z = blockIdx.z of a strided batch,
//   C (M x N, row stride ldc) = act(alpha * op(A) @ op(B) + beta * C + bias)
// where op(A) is M x K (A stored M x K with row stride lda, or K x M when trans_a) and op(B) is
// K x N (B stored K x N with row stride ldb, or N x K when trans_b); bias is N (Row) or M
// (Column) values. The epilogue is core/gemm_epilogue.h, shared with the CPU kernels.
#pragma once

#include <cstdint>

#include "cuda/gemm.h"
#include "cuda/launch.h"

#define EMBER_GEMM_EPILOGUE_CUDA 1
#include "core/gemm_epilogue.h"
#undef EMBER_GEMM_EPILOGUE_CUDA

namespace ember::cuda::gemm_kernels {

// One problem of the batch, its pointers moved to blockIdx.z.
template <class T>
struct Problem {
  const T* a;
  const T* b;
  T* c;
};

template <class T>
__device__ inline Problem<T> problem_of(const GemmArgs<T>& g, const GemmBatch& batch) {
  const int64_t z = blockIdx.z;
  return {g.a + z * batch.stride_a, g.b + z * batch.stride_b, g.c + z * batch.stride_c};
}

// op(A)[i, p] and op(B)[p, j].
template <class T>
__device__ inline T load_a(const GemmArgs<T>& g, const T* a, int64_t i, int64_t p) {
  return g.trans_a ? a[p * g.lda + i] : a[i * g.lda + p];
}
template <class T>
__device__ inline T load_b(const GemmArgs<T>& g, const T* b, int64_t p, int64_t j) {
  return g.trans_b ? b[j * g.ldb + p] : b[p * g.ldb + j];
}

// Writes C[i, j] from its dot product when (i, j) lies inside C.
template <class T>
__device__ inline void store_c(const GemmArgs<T>& g, T* c, int64_t i, int64_t j, T acc) {
  if (i >= g.m || j >= g.n) return;
  T* out = c + i * g.ldc + j;
  *out = finish(acc, out, g.alpha, g.beta, g.epilogue, i, j);
}

// The epilogue of a thread's block of C in two steps, for the register-blocked kernels:
// store_linear (alpha, beta, bias) while the accumulators are in registers, unrolled; then
// activate_block over the same elements in a rolled loop (the thread re-reads what it wrote).
// This keeps the kernels small: unrolled, the activation would be inlined once per accumulator
// (up to 64 copies of erf, exp and tanh).
template <class T>
__device__ inline void store_linear(const GemmArgs<T>& g, T* c, int64_t i, int64_t j, T acc) {
  if (i >= g.m || j >= g.n) return;
  Epilogue<T> linear = g.epilogue;
  linear.activation = Activation::None;
  T* out = c + i * g.ldc + j;
  *out = finish(acc, out, g.alpha, g.beta, linear, i, j);
}

// row_of(r) and col_of(q): the C coordinates of the thread's r-th row and q-th column.
template <class T, class RowOf, class ColOf>
__device__ inline void activate_block(const GemmArgs<T>& g, T* c, int rows, int cols,
                                      RowOf row_of, ColOf col_of) {
  const Activation act = g.epilogue.activation;
  if (act == Activation::None) return;
#pragma unroll 1
  for (int r = 0; r < rows; ++r) {
#pragma unroll 1
    for (int q = 0; q < cols; ++q) {
      const int64_t i = row_of(r), j = col_of(q);
      if (i < g.m && j < g.n) c[i * g.ldc + j] = activate(c[i * g.ldc + j], act);
    }
  }
}

// ---- naive: one thread per element of C -----------------------------------------------------
//   grid (ceil(N / BX), ceil(M / BY), batch), block (BX, BY)
//   A, B, C: global only; thread (x, y) computes C[blockIdx.y * BY + y, blockIdx.x * BX + x]
template <class T, int BX, int BY>
__global__ void __launch_bounds__(BX * BY) gemm_naive(GemmArgs<T> g, GemmBatch batch) {
  const Problem<T> pr = problem_of(g, batch);
  const int64_t i = int64_t(blockIdx.y) * BY + threadIdx.y;
  const int64_t j = int64_t(blockIdx.x) * BX + threadIdx.x;
  if (i >= g.m || j >= g.n) return;
  T acc = T(0);
  for (int64_t p = 0; p < g.k; ++p) acc += load_a(g, pr.a, i, p) * load_b(g, pr.b, p, j);
  store_c(g, pr.c, i, j, acc);
}

// ---- tiled: TILE x TILE blocks of op(A) and op(B) staged in shared memory -------------------
//   grid (ceil(N / TILE), ceil(M / TILE), batch), block (TILE, TILE)
//   shared As[TILE][TILE + 1] = op(A)[i0 + y, p0 + x], Bs[TILE][TILE + 1] = op(B)[p0 + y, j0 + x]
//   (zero outside the matrices; +1 keeps column reads off one bank)
//   thread (x, y) computes C[i0 + y, j0 + x]; i0 = blockIdx.y * TILE, j0 = blockIdx.x * TILE
template <class T, int TILE>
__global__ void __launch_bounds__(TILE * TILE) gemm_tiled(GemmArgs<T> g, GemmBatch batch) {
  __shared__ T As[TILE][TILE + 1];
  __shared__ T Bs[TILE][TILE + 1];
  const Problem<T> pr = problem_of(g, batch);
  const int tx = threadIdx.x, ty = threadIdx.y;
  const int64_t i0 = int64_t(blockIdx.y) * TILE, j0 = int64_t(blockIdx.x) * TILE;
  // Which tile coordinate follows threadIdx.x: the one contiguous in memory (coalesced reads).
  const int a_row = g.trans_a ? tx : ty, a_col = g.trans_a ? ty : tx;
  const int b_row = g.trans_b ? tx : ty, b_col = g.trans_b ? ty : tx;
  T acc = T(0);
  for (int64_t p0 = 0; p0 < g.k; p0 += TILE) {
    const int64_t ai = i0 + a_row, ap = p0 + a_col, bp = p0 + b_row, bj = j0 + b_col;
    As[a_row][a_col] = ai < g.m && ap < g.k ? load_a(g, pr.a, ai, ap) : T(0);
    Bs[b_row][b_col] = bp < g.k && bj < g.n ? load_b(g, pr.b, bp, bj) : T(0);
    __syncthreads();
#pragma unroll
    for (int q = 0; q < TILE; ++q) acc += As[ty][q] * Bs[q][tx];
    __syncthreads();
  }
  store_c(g, pr.c, i0 + ty, j0 + tx, acc);
}

// ---- staging of register-blocked tiles ------------------------------------------------------
// An R x BK tile of op(A) (R = BM rows of M) or of op(B)^T (R = BN columns of N) goes to shared
// memory transposed, s[kk * LDS + r], so that a thread's TM (TN) values of one kk are adjacent.
// Element (r, kk) of the tile is src[(r0 + r) * ld + p0 + kk] when the stored matrix runs along
// K (A, or B^T with trans_b), else src[(p0 + kk) * ld + r0 + r]; zero outside rows x k.
struct TileSource {
  int64_t ld;
  bool k_contiguous;
  int64_t r0, rows, p0, k;
};

template <class T, int R, int BK, int LDS, int NT>
__device__ inline void stage_scalar(const T* src, const TileSource& t, T* s) {
  for (int e = threadIdx.x; e < R * BK; e += NT) {
    // Consecutive threads take consecutive addresses of src.
    const int r = t.k_contiguous ? e / BK : e % R;
    const int kk = t.k_contiguous ? e % BK : e / R;
    const int64_t gr = t.r0 + r, gp = t.p0 + kk;
    T v = T(0);
    if (gr < t.rows && gp < t.k) v = t.k_contiguous ? src[gr * t.ld + gp] : src[gp * t.ld + gr];
    s[kk * LDS + r] = v;
  }
}

// One 128-bit load from p (16-byte aligned) into e[0 .. 16 / sizeof(T)), lane by lane (a
// union would put the vector in local memory).
__device__ inline void load_lanes(const float* p, float* e) {
  const float4 v = *reinterpret_cast<const float4*>(p);
  e[0] = v.x, e[1] = v.y, e[2] = v.z, e[3] = v.w;
}
__device__ inline void load_lanes(const double* p, double* e) {
  const double2 v = *reinterpret_cast<const double2*>(p);
  e[0] = v.x, e[1] = v.y;
}

// stage_scalar with 128-bit loads along the contiguous dim of src; `aligned` says src and ld
// are multiples of 16 bytes (the host checks), else, and at the matrix edges, scalar loads.
template <class T, int R, int BK, int LDS, int NT>
__device__ inline void stage_vector(const T* src, const TileSource& t, bool aligned, T* s) {
  constexpr int V = 16 / sizeof(T);
  static_assert(R % V == 0 && BK % V == 0, "tiles must hold whole 128-bit vectors");
  if (!aligned) return stage_scalar<T, R, BK, LDS, NT>(src, t, s);
  constexpr int kChunks = R * BK / V;
  for (int e = threadIdx.x; e < kChunks; e += NT) {
    const int r = t.k_contiguous ? e / (BK / V) : (e % (R / V)) * V;
    const int kk = t.k_contiguous ? (e % (BK / V)) * V : e / (R / V);
    const int64_t gr = t.r0 + r, gp = t.p0 + kk;
    // The V lanes run along the contiguous dim: K (lane q is (r, kk + q)) or R ((r + q, kk)).
    T x[V];
    if (t.k_contiguous) {
      const T* p = src + gr * t.ld + gp;
      if (gr < t.rows && gp + V <= t.k) {
        load_lanes(p, x);
      } else {
#pragma unroll
        for (int q = 0; q < V; ++q) x[q] = gr < t.rows && gp + q < t.k ? p[q] : T(0);
      }
#pragma unroll
      for (int q = 0; q < V; ++q) s[(kk + q) * LDS + r] = x[q];
    } else {
      const T* p = src + gp * t.ld + gr;
      if (gp < t.k && gr + V <= t.rows) {
        load_lanes(p, x);
      } else {
#pragma unroll
        for (int q = 0; q < V; ++q) x[q] = gp < t.k && gr + q < t.rows ? p[q] : T(0);
      }
#pragma unroll
      for (int q = 0; q < V; ++q) s[kk * LDS + r + q] = x[q];
    }
  }
}

template <class T, int R, int BK, int LDS, int NT, bool kVector>
__device__ inline void stage(const T* src, const TileSource& t, bool aligned, T* s) {
  if constexpr (kVector) stage_vector<T, R, BK, LDS, NT>(src, t, aligned, s);
  else stage_scalar<T, R, BK, LDS, NT>(src, t, s);
}

// Which operands may be read 128 bits at a time (host-checked alignment).
struct Alignment {
  bool a = false, b = false;
};

// Row padding of the staged tiles: 16 bytes keeps 128-bit shared reads aligned.
template <class T>
constexpr int kPad = 16 / sizeof(T);

// One step of the inner product of the staged tiles into a thread's TM x TN block of C:
//   acc[r][c] += As[kk * LDA + ty * TM + r] * Bs[kk * LDB + tx * TN + c]
// kVector: the fragments are read 128 bits at a time (the rows are 16-byte aligned by kPad).
// Shared by gemm_register and the implicit-GEMM convolutions (cuda/conv_implicit_gemm.cu), which
// call it for kk = 0, ..., BK - 1 in an unrolled loop.
template <class T, int TM, int TN, int LDA, int LDB, bool kVector = false>
__device__ __forceinline__ void multiply_step(const T* As, const T* Bs, int kk, int tx, int ty,
                                              T (&acc)[TM][TN]) {
  constexpr int V = kVector ? 16 / sizeof(T) : 1;
  static_assert(TM % V == 0 && TN % V == 0, "fragments must hold whole vectors");
  T a[TM], b[TN];
  if constexpr (kVector) {
#pragma unroll
    for (int q = 0; q < TM / V; ++q) load_lanes(&As[kk * LDA + ty * TM + q * V], a + q * V);
#pragma unroll
    for (int q = 0; q < TN / V; ++q) load_lanes(&Bs[kk * LDB + tx * TN + q * V], b + q * V);
  } else {
#pragma unroll
    for (int r = 0; r < TM; ++r) a[r] = As[kk * LDA + ty * TM + r];
#pragma unroll
    for (int c = 0; c < TN; ++c) b[c] = Bs[kk * LDB + tx * TN + c];
  }
#pragma unroll
  for (int r = 0; r < TM; ++r)
#pragma unroll
    for (int c = 0; c < TN; ++c) acc[r][c] += a[r] * b[c];
}

// ---- register-blocked (and vectorized): a TM x TN block of C per thread -----------------------
//   grid (ceil(N / BN), ceil(M / BM), batch), block NT = (BM / TM) * (BN / TN) threads
//   shared As[BK][BM + pad] = op(A)[i0 + r, p0 + kk] at [kk][r],
//          Bs[BK][BN + pad] = op(B)[p0 + kk, j0 + c] at [kk][c]
//   registers acc[TM][TN] = C[i0 + ty * TM + r, j0 + tx * TN + c], tx = tid % (BN / TN)
//   Launch bounds of one block per SM: without them ptxas caps these kernels at 80 registers
//   (three blocks per SM) and spills.
//   kVector: 128-bit global loads where `align` allows, and 128-bit shared reads of the
//   fragments (the `vectorized` rung); otherwise scalar (the `register` rung).
template <class T, int BM, int BN, int BK, int TM, int TN, bool kVector>
__global__ void __launch_bounds__((BM / TM) * (BN / TN), 1)
    gemm_register(GemmArgs<T> g, GemmBatch batch, Alignment align) {
  constexpr int NT = (BM / TM) * (BN / TN), LDA = BM + kPad<T>, LDB = BN + kPad<T>;
  __shared__ __align__(16) T As[BK * LDA];
  __shared__ __align__(16) T Bs[BK * LDB];
  const Problem<T> pr = problem_of(g, batch);
  const int tx = threadIdx.x % (BN / TN), ty = threadIdx.x / (BN / TN);
  const int64_t i0 = int64_t(blockIdx.y) * BM, j0 = int64_t(blockIdx.x) * BN;
  T acc[TM][TN] = {};
  for (int64_t p0 = 0; p0 < g.k; p0 += BK) {
    stage<T, BM, BK, LDA, NT, kVector>(pr.a, {g.lda, !g.trans_a, i0, g.m, p0, g.k}, align.a, As);
    stage<T, BN, BK, LDB, NT, kVector>(pr.b, {g.ldb, g.trans_b, j0, g.n, p0, g.k}, align.b, Bs);
    __syncthreads();
#pragma unroll
    for (int kk = 0; kk < BK; ++kk)
      multiply_step<T, TM, TN, LDA, LDB, kVector>(As, Bs, kk, tx, ty, acc);
    __syncthreads();
  }
  const auto row_of = [&](int r) { return i0 + ty * TM + r; };
  const auto col_of = [&](int c) { return j0 + tx * TN + c; };
#pragma unroll
  for (int r = 0; r < TM; ++r)
#pragma unroll
    for (int c = 0; c < TN; ++c) store_linear(g, pr.c, row_of(r), col_of(c), acc[r][c]);
  activate_block(g, pr.c, TM, TN, row_of, col_of);
}

// ---- warp-tiled: the block tile split per warp, each lane an interleaved set of blocks -------
//   grid (ceil(N / BN), ceil(M / BM), batch), block NT = 32 * WARPS_M * WARPS_N threads
//   shared As[BK][BM + pad], Bs[BK][BN + pad] as in gemm_register (128-bit loads when aligned)
//   warp w owns the WM x WN = (BM / WARPS_M) x (BN / WARPS_N) tile at (w / WARPS_N, w % WARPS_N);
//   its 32 lanes form a 4 x 8 grid that sweeps the warp tile in WMI x WNI steps of
//   (4 * TM) x (8 * TN), each lane holding a TM x TN block per step:
//   registers acc[WMI * TM][WNI * TN] = C[i0 + wm * WM + mi * 4 * TM + lm * TM + r,
//                                         j0 + wn * WN + ni * 8 * TN + ln * TN + c]
//   A warp's fragment reads then hit few distinct shared-memory rows (broadcasts), and the
//   4 x 8 lane grid keeps the reads of one instruction on distinct banks.
template <class T, int BM, int BN, int BK, int WARPS_M, int WARPS_N, int TM, int TN>
__global__ void __launch_bounds__(32 * WARPS_M * WARPS_N, 1)
    gemm_warp(GemmArgs<T> g, GemmBatch batch, Alignment align) {
  constexpr int NT = 32 * WARPS_M * WARPS_N, LDA = BM + kPad<T>, LDB = BN + kPad<T>;
  constexpr int WM = BM / WARPS_M, WN = BN / WARPS_N;
  constexpr int WMI = WM / (4 * TM), WNI = WN / (8 * TN);
  static_assert(WMI * 4 * TM == WM && WNI * 8 * TN == WN, "warp tile must split into lane steps");
  __shared__ __align__(16) T As[BK * LDA];
  __shared__ __align__(16) T Bs[BK * LDB];
  const Problem<T> pr = problem_of(g, batch);
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int wm = warp / WARPS_N, wn = warp % WARPS_N, lm = lane / 8, ln = lane % 8;
  const int64_t i0 = int64_t(blockIdx.y) * BM, j0 = int64_t(blockIdx.x) * BN;
  T acc[WMI * TM][WNI * TN] = {};
  for (int64_t p0 = 0; p0 < g.k; p0 += BK) {
    stage_vector<T, BM, BK, LDA, NT>(pr.a, {g.lda, !g.trans_a, i0, g.m, p0, g.k}, align.a, As);
    stage_vector<T, BN, BK, LDB, NT>(pr.b, {g.ldb, g.trans_b, j0, g.n, p0, g.k}, align.b, Bs);
    __syncthreads();
#pragma unroll
    for (int kk = 0; kk < BK; ++kk) {
      T a[WMI * TM], b[WNI * TN];
#pragma unroll
      for (int mi = 0; mi < WMI; ++mi)
#pragma unroll
        for (int r = 0; r < TM; ++r) a[mi * TM + r] = As[kk * LDA + wm * WM + mi * 4 * TM + lm * TM + r];
#pragma unroll
      for (int ni = 0; ni < WNI; ++ni)
#pragma unroll
        for (int c = 0; c < TN; ++c) b[ni * TN + c] = Bs[kk * LDB + wn * WN + ni * 8 * TN + ln * TN + c];
#pragma unroll
      for (int r = 0; r < WMI * TM; ++r)
#pragma unroll
        for (int c = 0; c < WNI * TN; ++c) acc[r][c] += a[r] * b[c];
    }
    __syncthreads();
  }
  // Accumulator row r (of WMI * TM) and column c (of WNI * TN) in C.
  const auto row_of = [&](int r) { return i0 + wm * WM + (r / TM) * 4 * TM + lm * TM + r % TM; };
  const auto col_of = [&](int c) { return j0 + wn * WN + (c / TN) * 8 * TN + ln * TN + c % TN; };
#pragma unroll
  for (int r = 0; r < WMI * TM; ++r)
#pragma unroll
    for (int c = 0; c < WNI * TN; ++c) store_linear(g, pr.c, row_of(r), col_of(c), acc[r][c]);
  activate_block(g, pr.c, WMI * TM, WNI * TN, row_of, col_of);
}

}  // namespace ember::cuda::gemm_kernels
