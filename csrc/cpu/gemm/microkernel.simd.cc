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
#include <cstring>

#if defined(__AVX2__) || defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "core/gemm_epilogue.h"
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
// Cache budgets: the A micro-panel (MR x KC) takes half of the 32 KiB L1, the packed B block
// (KC x NC) half of a 1 MiB L2 (its other half holds C tiles and the next A panels), the A
// block (MC x KC) a few MiB of L3. That gives (KC, MC, NC):
//   AVX-512: float (512, 2048, 240), double (256, 2048, 240)
//   AVX2:    float (682, 1536, 192), double (341, 1536, 192)
//   baseline float (682, 1536, 192), double (341, 1536, 192)
// and the driver evens the blocks out over the actual sizes.
constexpr int64_t kL1Bytes = 16 << 10, kL2Bytes = 512 << 10, kL3Bytes = 4 << 20;

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
  Vec<T> acc[kMR][kNV] = {};
  for (int64_t p = 0; p < kc; ++p) {
    if constexpr (kInPlace) {
      const char* ahead = reinterpret_cast<const char*>(b + (p + kAhead) * ldb);
#pragma GCC unroll 8
      for (int off = 0; off < NR * static_cast<int>(sizeof(T)); off += 64)
        __builtin_prefetch(ahead + off);
    }
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

// Matrix-vector, memory-bound: each element of A is read once.
template <class T>
void gemv(bool rows_contiguous, int64_t m, int64_t k, const T* __restrict a, int64_t lda,
          const T* __restrict x, T* __restrict y) {
  constexpr int L = kLanes<T>;
  if (rows_contiguous) {
    // Dot products, eight rows at a time so each load of x serves eight rows and eight
    // independent accumulators hide the FMA latency.
    constexpr int R = 8;
    int64_t i = 0;
    for (; i < m; i += R) {
      const int rows = static_cast<int>(std::min<int64_t>(R, m - i));
      const T* ar[R];
      for (int r = 0; r < R; ++r) ar[r] = a + (i + (r < rows ? r : 0)) * lda;
      Vec<T> acc[R] = {};
      int64_t p = 0;
      for (; p + L <= k; p += L) {
        const Vec<T> xv = load(x + p);
#pragma GCC unroll 8
        for (int r = 0; r < R; ++r) acc[r] = fmadd(load(ar[r] + p), xv, acc[r]);
      }
      for (int r = 0; r < rows; ++r) {
        T s = hsum<T>(acc[r]);
        for (int64_t q = p; q < k; ++q) s += ar[r][q] * x[q];
        y[i + r] = s;
      }
    }
  } else {
    // Sums of scaled rows. A strip of y (4 KiB, in L1) takes R rows of A per pass, so each
    // row is read as a long contiguous run (the prefetchers keep up) and y is loaded and
    // stored once per R multiply-adds.
    constexpr int64_t S = 4096 / sizeof(T);
    constexpr int R = 8;
    for (int64_t i0 = 0; i0 < m; i0 += S) {
      const int64_t i1 = std::min(m, i0 + S);
      std::fill(y + i0, y + i1, T(0));
      int64_t p = 0;
      for (; p + R <= k; p += R) {
        Vec<T> xv[R];
        for (int r = 0; r < R; ++r) xv[r] = splat(x[p + r]);
        const T* a0 = a + p * lda;
        int64_t i = i0;
        for (; i + L <= i1; i += L) {
          Vec<T> acc = load(y + i);
#pragma GCC unroll 8
          for (int r = 0; r < R; ++r) acc = fmadd(xv[r], load(a0 + r * lda + i), acc);
          store(y + i, acc);
        }
        for (; i < i1; ++i)
          for (int r = 0; r < R; ++r) y[i] += x[p + r] * a0[r * lda + i];
      }
      for (; p < k; ++p)
        for (int64_t i = i0; i < i1; ++i) y[i] += x[p] * a[p * lda + i];
    }
  }
}

template <class T>
GemmKernels<T> make_kernels() {
  constexpr int64_t nr = kNV * kLanes<T>;
  constexpr int64_t kc = kL1Bytes / (kMR * sizeof(T));
  return GemmKernels<T>{kMR,
                        static_cast<int>(nr),
                        kc,
                        kL3Bytes / (kc * sizeof(T)) / kMR * kMR,
                        kL2Bytes / (kc * sizeof(T)) / nr * nr,
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
