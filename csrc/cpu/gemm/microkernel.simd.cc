// Register-blocked GEMM micro-kernel and matrix-vector kernel, compiled once per ISA.
//
// Shapes (one call of the micro-kernel):
//   a    : MR x kc   A(i, p) at a[i * rsa + p * csa]: a packed panel (rsa = 1, csa = MR) or
//                    A's own rows (rsa = lda, csa = 1)
//   b    : kc x NR   row p at b + p * ldb (NR = NV vectors of LANES)
//   acc  : MR x NV   vector registers: the C tile, summed over p
//   C    : m x n     (m <= MR, n <= NR) at c, row stride ldc
// Each step p broadcasts MR values of A and loads NV vectors of B, then issues MR * NV
// independent FMAs: enough accumulators to cover the FMA latency on every ISA below, while
// MR + NV + MR * NV stays within the register file (no spills).
//
// The code is written once with GCC/Clang vector extensions; the vector width and the FMA come
// from the ISA this copy is compiled for. Tiles and blocks per ISA (float; double keeps MR and
// NV, so NR halves):
//   AVX-512 (32 zmm): MR = 8, NV = 3 -> 8 x 48, 24 accumulators
//   AVX2    (16 ymm): MR = 6, NV = 2 -> 6 x 16, 12 accumulators
//   baseline(16 xmm): MR = 6, NV = 2 -> 6 x 8,  12 accumulators (SSE2 on x86-64)
#include <algorithm>
#include <cstdint>
#include <cstring>

#if defined(__AVX2__) || defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "core/gemm_epilogue.h"
#include "cpu/gemm/cache_sizes.h"
#include "cpu/gemm/microkernel.h"

namespace ember::cpu {
namespace EMBER_CPU_NS {
namespace {

#if defined(__AVX512F__)
constexpr int kVecBytes = 64, kMR = 8, kNV = 3;
#elif defined(__AVX2__)
constexpr int kVecBytes = 32, kMR = 6, kNV = 2;
#else
constexpr int kVecBytes = 16, kMR = 6, kNV = 2;
#endif
template <class T> struct VecOf;
template <> struct VecOf<float> { typedef float type __attribute__((vector_size(kVecBytes))); };
template <> struct VecOf<double> { typedef double type __attribute__((vector_size(kVecBytes))); };
template <class T> using Vec = typename VecOf<T>::type;
template <class T> constexpr int kLanes = kVecBytes / sizeof(T);

template <class T>
inline Vec<T> load(const T* p) {
  Vec<T> v;
  std::memcpy(&v, p, sizeof v);  // unaligned load; B's own rows carry no alignment
  return v;
}
template <class T>
inline void store(T* p, Vec<T> v) { std::memcpy(p, &v, sizeof v); }
// Vec{} + s would do: but adding to +0.0 is no no-op for -0.0, so the compiler keeps an add
// before every broadcast in the inner loop; the intrinsic becomes one vbroadcastss from memory.
inline Vec<float> splat(float s) {
#if defined(__AVX512F__)
  return (Vec<float>)_mm512_set1_ps(s);
#elif defined(__AVX2__)
  return (Vec<float>)_mm256_set1_ps(s);
#else
  return Vec<float>{s, s, s, s};
#endif
}
inline Vec<double> splat(double s) {
#if defined(__AVX512F__)
  return (Vec<double>)_mm512_set1_pd(s);
#elif defined(__AVX2__)
  return (Vec<double>)_mm256_set1_pd(s);
#else
  return Vec<double>{s, s};
#endif
}

// a * b + c with one rounding where the ISA has FMA (the baseline x86-64 has none).
inline Vec<float> fmadd(Vec<float> a, Vec<float> b, Vec<float> c) {
#if defined(__AVX512F__)
  return (Vec<float>)_mm512_fmadd_ps((__m512)a, (__m512)b, (__m512)c);
#elif defined(__AVX2__)
  return (Vec<float>)_mm256_fmadd_ps((__m256)a, (__m256)b, (__m256)c);
#else
  return a * b + c;
#endif
}
inline Vec<double> fmadd(Vec<double> a, Vec<double> b, Vec<double> c) {
#if defined(__AVX512F__)
  return (Vec<double>)_mm512_fmadd_pd((__m512d)a, (__m512d)b, (__m512d)c);
#elif defined(__AVX2__)
  return (Vec<double>)_mm256_fmadd_pd((__m256d)a, (__m256d)b, (__m256d)c);
#else
  return a * b + c;
#endif
}

// Sum of the lanes, as a tree: a chain of scalar adds would cost a latency per lane.
template <class T>
inline T hsum(Vec<T> v) {
  constexpr int H = kLanes<T> / 2;
  typedef T Half __attribute__((vector_size(sizeof(T) * H)));
  Half lo, hi;
  std::memcpy(&lo, &v, sizeof lo);
  std::memcpy(&hi, reinterpret_cast<const char*>(&v) + sizeof lo, sizeof hi);
  Half sum = lo + hi;
  for (int w = H / 2; w >= 1; w /= 2)
    for (int l = 0; l < w; ++l) sum[l] += sum[l + w];
  return sum[0];
}

// Fetch `bytes` from p into the caches ahead of use: rows of a wide matrix lie in different
// pages, where the hardware prefetchers stop.
template <bool kForWrite = false>
inline void prefetch_bytes(const void* p, int64_t bytes) {
  const char* c = static_cast<const char*>(p);
  for (int64_t off = 0; off < bytes; off += 64) __builtin_prefetch(c + off, kForWrite ? 1 : 0);
}

// kInPlace: b points into B itself, whose rows lie in different pages: the hardware
// prefetchers stop at page boundaries, so fetch the row kAhead steps ahead in software
// (a packed panel is contiguous and needs none).
template <class T, bool kInPlace>
void microkernel(int64_t kc, const T* __restrict a, int64_t rsa, int64_t csa,
                 const T* __restrict b, int64_t ldb, T* __restrict c, int64_t ldc, int64_t m,
                 int64_t n, const TileWriteback<T>& wb) {
  constexpr int L = kLanes<T>, NR = kNV * L;
  constexpr int64_t kAhead = 8;
  const T* arow[kMR];  // row i of the A panel; step p reads arow[i][p * csa]
  for (int i = 0; i < kMR; ++i) arow[i] = a + i * rsa;
  // C's tile is read and written only after the K loop: start fetching its rows now (from L3
  // or memory when C is large), so the write-back does not wait for m x n / 16 cache misses.
  for (int64_t i = 0; i < m; ++i) prefetch_bytes<true>(c + i * ldc, n * sizeof(T));
  Vec<T> acc[kMR][kNV] = {};
  for (int64_t p = 0; p < kc; ++p) {
    if constexpr (kInPlace) prefetch_bytes(b + (p + kAhead) * ldb, NR * sizeof(T));
    Vec<T> bv[kNV];
#pragma GCC unroll 8
    for (int v = 0; v < kNV; ++v) bv[v] = load(b + p * ldb + v * L);
#pragma GCC unroll 16
    for (int i = 0; i < kMR; ++i) {
      const Vec<T> av = splat(arow[i][p * csa]);
#pragma GCC unroll 8
      for (int v = 0; v < kNV; ++v) acc[i][v] = fmadd(av, bv[v], acc[i][v]);
    }
  }

  const bool read_c = wb.beta != T(0);
  Activation pending = wb.activation;  // what is left to apply after the stores
  if (m == kMR && n == NR) {
    // Whole tile: straight from the registers into C, ReLU included (a compare and select;
    // NaN < 0 is false, so NaN stays NaN as in PyTorch).
    const bool relu = wb.activation == Activation::ReLU;
    if (relu) pending = Activation::None;
#pragma GCC unroll 16
    for (int i = 0; i < kMR; ++i) {
      T* row = c + i * ldc;
#pragma GCC unroll 8
      for (int v = 0; v < kNV; ++v) {
        Vec<T> r = acc[i][v] * wb.alpha;
        if (read_c) r = fmadd(splat(wb.beta), load(row + v * L), r);
        if (wb.bias_row) r += load(wb.bias_row + v * L);
        if (wb.bias_col) r += wb.bias_col[i];
        if (relu) r = r < T(0) ? Vec<T>{} : r;
        store(row + v * L, r);
      }
    }
  } else {
    // Edge tile: through a buffer, so no load or store leaves the m x n corner.
    alignas(64) T tile[kMR * NR];
    for (int i = 0; i < kMR; ++i)
      for (int v = 0; v < kNV; ++v) store(tile + i * NR + v * L, acc[i][v]);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        T r = wb.alpha * tile[i * NR + j];
        if (read_c) r += wb.beta * c[i * ldc + j];
        if (wb.bias_row) r += wb.bias_row[j];
        if (wb.bias_col) r += wb.bias_col[i];
        c[i * ldc + j] = r;
      }
  }
  // The tile is still in L1: the activation costs no extra trip through memory.
  if (pending != Activation::None)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) c[i * ldc + j] = activate(c[i * ldc + j], pending);
}

// y[i] = A(i, :) . x for m rows stored contiguously (row stride lda), memory-bound: each element
// of A is read once. kR rows at a time, so each load of x serves kR rows and kR independent
// accumulators hide the FMA latency. Each row is also fetched kAhead bytes ahead of its reads
// (past its end: the next rows' start when they follow tightly): eight streams that each cross
// a page every 4 KiB are more than the hardware prefetchers follow on their own.
template <class T>
void gemv_rows(int64_t m, int64_t k, const T* __restrict a, int64_t lda, const T* __restrict x,
               T* __restrict y) {
  constexpr int L = kLanes<T>, kR = 8;
  constexpr uintptr_t kAhead = 1024;
  for (int64_t i = 0; i < m; i += kR) {
    const int rows = static_cast<int>(std::min<int64_t>(kR, m - i));
    const T* ar[kR];  // rows past m repeat row i (their sums are dropped)
    for (int r = 0; r < kR; ++r) ar[r] = a + (i + (r < rows ? r : 0)) * lda;
    Vec<T> acc[kR] = {};
    int64_t p = 0;
    for (; p + L <= k; p += L) {
      const Vec<T> xv = load(x + p);
#pragma GCC unroll 8
      for (int r = 0; r < kR; ++r) {
        // An address, not an object: prefetching past the end of A is harmless.
        __builtin_prefetch(reinterpret_cast<const void*>(
            reinterpret_cast<uintptr_t>(ar[r] + p) + kAhead));
        acc[r] = fmadd(load(ar[r] + p), xv, acc[r]);
      }
    }
    for (int r = 0; r < rows; ++r) {
      T s = hsum<T>(acc[r]);
      for (int64_t q = p; q < k; ++q) s += ar[r][q] * x[q];
      y[i + r] = s;
    }
  }
}

// y[j0 + j] = sum_p x[p] * A(p, j0 + j) for j < kNVec * L: a column panel of y held in kNVec
// vector registers while A's rows stream past (row p: kNVec * L contiguous values at
// a + p * lda), kAhead rows prefetched ahead.
template <class T, int kNVec>
void gemv_column_panel(int64_t k, const T* __restrict a, int64_t lda, const T* __restrict x,
                       T* __restrict y) {
  constexpr int L = kLanes<T>;
  constexpr int64_t kAhead = 8;
  Vec<T> acc[kNVec] = {};
  for (int64_t p = 0; p < k; ++p) {
    const T* row = a + p * lda;
    if (p + kAhead < k) prefetch_bytes(row + kAhead * lda, kNVec * L * sizeof(T));
    const Vec<T> xv = splat(x[p]);
#pragma GCC unroll 16
    for (int v = 0; v < kNVec; ++v) acc[v] = fmadd(xv, load(row + v * L), acc[v]);
  }
#pragma GCC unroll 16
  for (int v = 0; v < kNVec; ++v) store(y + v * L, acc[v]);
}

// y[j] = sum_p x[p] * A(p, j) for j < m, A(p, j) at a[p * lda + j] (a row-major matrix times a
// vector from the left): wide column panels (as many accumulators as the register file holds
// beside a broadcast and a load), narrower ones at the edge, scalars for the last < L columns.
template <class T>
void gemv_columns(int64_t m, int64_t k, const T* __restrict a, int64_t lda,
                  const T* __restrict x, T* __restrict y) {
  constexpr int L = kLanes<T>;
#if defined(__AVX512F__)
  constexpr int kWide = 16;
#else
  constexpr int kWide = 8;
#endif
  int64_t j = 0;
  for (; j + kWide * L <= m; j += kWide * L) gemv_column_panel<T, kWide>(k, a + j, lda, x, y + j);
  for (; j + 4 * L <= m; j += 4 * L) gemv_column_panel<T, 4>(k, a + j, lda, x, y + j);
  for (; j + L <= m; j += L) gemv_column_panel<T, 1>(k, a + j, lda, x, y + j);
  if (j == m) return;
  std::fill(y + j, y + m, T(0));
  for (int64_t p = 0; p < k; ++p)
    for (int64_t q = j; q < m; ++q) y[q] += x[p] * a[p * lda + q];
}

// The matrix-vector kernel (gemv_fn): dot products over contiguous rows, or column panels.
template <class T>
void gemv(bool rows_contiguous, int64_t m, int64_t k, const T* __restrict a, int64_t lda,
          const T* __restrict x, T* __restrict y) {
  if (rows_contiguous)
    gemv_rows(m, k, a, lda, x, y);
  else
    gemv_columns(m, k, a, lda, x, y);
}

// Cache blocks from the caches of the CPU we run on (cache_sizes(), detected once), by BLIS's
// rules with the roles of A and B exchanged: BLIS keeps a kc x nr B micro-panel in L1 while
// narrow A micro-panels stream past it, but this tile is wide (NR = 6 * MR), so here the
// driver keeps the narrow operand, an mr x kc A micro-panel, while kc x nr B micro-panels
// stream from L2 (jr innermost, packed.cc):
//   kc: the A micro-panel, read again by every B micro-panel of the block, takes half of L1
//       (the other half: the B lines in flight, C's tile); a large kc also means few passes
//       of C through the caches (one per K slice)
//   nc: the packed B block (kc x nc) takes half of L2 (the rest: A micro-panels, C tiles)
//   mc: the A block (mc x kc) takes half of this core's share of L3
// e.g. 48 KiB L1, 1 MiB L2, 32 MiB L3 for 2 cores, AVX-512 float: kc 768, nc 144, mc 2728.
// The driver then evens the blocks out over the actual sizes.
template <class T>
GemmKernels<T> make_kernels() {
  constexpr int64_t nr = kNV * kLanes<T>, mr = kMR, size = sizeof(T);
  const CacheSizes& cache = cache_sizes();
  const int64_t kc = std::clamp<int64_t>(cache.l1d / 2 / (mr * size) / 16 * 16, 64, 4096);
  const int64_t nc = std::max<int64_t>(nr, cache.l2 / 2 / (kc * size) / nr * nr);
  const int64_t l3_share = cache.l3 / cache.l3_sharers;
  const int64_t mc = std::max<int64_t>(mr, l3_share / 2 / (kc * size) / mr * mr);
  return GemmKernels<T>{kMR,
                        static_cast<int>(nr),
                        kc,
                        mc,
                        nc,
                        &microkernel<T, false>,
                        &microkernel<T, true>,
                        &gemv<T>,
                        capability_name(static_cast<Capability>(EMBER_CAP_INDEX))};
}

const GemmKernels<float>* kernels_f32() {
  static const GemmKernels<float> k = make_kernels<float>();
  return &k;
}
const GemmKernels<double>* kernels_f64() {
  static const GemmKernels<double> k = make_kernels<double>();
  return &k;
}

}  // namespace
}  // namespace EMBER_CPU_NS

EMBER_REGISTER_DISPATCH(gemm_kernels_f32_stub, &EMBER_CPU_NS::kernels_f32);
EMBER_REGISTER_DISPATCH(gemm_kernels_f64_stub, &EMBER_CPU_NS::kernels_f64);

}  // namespace ember::cpu
