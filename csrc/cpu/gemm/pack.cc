#include "cpu/gemm/pack.h"

#include <algorithm>
#include <cstring>
#include <type_traits>

#if defined(__SSE2__)
#include <immintrin.h>
#endif

namespace ember::cpu {

namespace {

// Panel rows that are contiguous in the source: one memcpy each, then the zero padding.
//   dst[p * width + r] = src[p * ld + r] for r < count, 0 for count <= r < width.
// Rows of a wide matrix lie in different pages, where the hardware prefetchers stop: fetch
// kAhead rows early so that their cache misses overlap instead of queueing one row at a time.
template <class T>
void copy_rows(const T* src, int64_t ld, int64_t count, int64_t kc, int width, T* dst) {
  constexpr int64_t kAhead = 8;
  const int64_t bytes = count * static_cast<int64_t>(sizeof(T));
  for (int64_t p = 0; p < kc; ++p) {
    if (p + kAhead < kc) {
      const char* ahead = reinterpret_cast<const char*>(src + (p + kAhead) * ld);
      for (int64_t off = 0; off < bytes; off += 64) __builtin_prefetch(ahead + off);
    }
    std::memcpy(dst + p * width, src + p * ld, count * sizeof(T));
    std::fill(dst + p * width + count, dst + (p + 1) * width, T(0));
  }
}

// Panel rows that are strided in the source (a transpose):
//   dst[p * width + r] = src[r * ld + p] for r < count, 0 for count <= r < width.
// Eight source rows at a time: each step writes 8 neighbours while reading 8 sequential
// streams, few enough for the hardware prefetchers to follow.
template <class T>
void transpose_rows(const T* src, int64_t ld, int64_t count, int64_t kc, int width, T* dst) {
  constexpr int64_t kGroup = 8;
  int64_t r0 = 0;
  for (; r0 + kGroup <= count; r0 += kGroup) {
    const T* s = src + r0 * ld;
    int64_t p = 0;
#if defined(__SSE2__)
    if constexpr (std::is_same_v<T, float>) {
      // 4 x 4 blocks through registers: a quarter of the scalar loads and stores.
      for (; p + 4 <= kc; p += 4)
        for (int64_t h = 0; h < kGroup; h += 4) {
          __m128 r0v = _mm_loadu_ps(s + h * ld + p), r1v = _mm_loadu_ps(s + (h + 1) * ld + p);
          __m128 r2v = _mm_loadu_ps(s + (h + 2) * ld + p), r3v = _mm_loadu_ps(s + (h + 3) * ld + p);
          _MM_TRANSPOSE4_PS(r0v, r1v, r2v, r3v);
          _mm_storeu_ps(dst + p * width + r0 + h, r0v);
          _mm_storeu_ps(dst + (p + 1) * width + r0 + h, r1v);
          _mm_storeu_ps(dst + (p + 2) * width + r0 + h, r2v);
          _mm_storeu_ps(dst + (p + 3) * width + r0 + h, r3v);
        }
    }
#endif
    for (; p < kc; ++p)
      for (int64_t r = 0; r < kGroup; ++r) dst[p * width + r0 + r] = s[r * ld + p];
  }
  for (int64_t p = 0; p < kc; ++p)
    for (int64_t r = r0; r < count; ++r) dst[p * width + r] = src[r * ld + p];
  if (count < width)
    for (int64_t p = 0; p < kc; ++p) std::fill(dst + p * width + count, dst + (p + 1) * width, T(0));
}

}  // namespace

template <class T>
void pack_a_panel(const GemmArgs<T>& g, int64_t i0, int64_t p0, int64_t m, int64_t kc, int mr,
                  T* ap) {
  if (g.trans_a)  // op(A)(i, p) = a[p * lda + i]
    copy_rows(g.a + p0 * g.lda + i0, g.lda, m, kc, mr, ap);
  else
    transpose_rows(g.a + i0 * g.lda + p0, g.lda, m, kc, mr, ap);
}

template <class T>
void pack_b_panel(const GemmArgs<T>& g, int64_t p0, int64_t j0, int64_t kc, int64_t n, int nr,
                  T* bp) {
  if (g.trans_b)  // op(B)(p, j) = b[j * ldb + p]
    transpose_rows(g.b + j0 * g.ldb + p0, g.ldb, n, kc, nr, bp);
  else
    copy_rows(g.b + p0 * g.ldb + j0, g.ldb, n, kc, nr, bp);
}

#define EMBER_GEMM_INSTANTIATE_PACK(T)                                                         \
  template void pack_a_panel<T>(const GemmArgs<T>&, int64_t, int64_t, int64_t, int64_t, int, \
                                T*);                                                           \
  template void pack_b_panel<T>(const GemmArgs<T>&, int64_t, int64_t, int64_t, int64_t, int, T*);
EMBER_GEMM_INSTANTIATE_PACK(float)
EMBER_GEMM_INSTANTIATE_PACK(double)
#undef EMBER_GEMM_INSTANTIATE_PACK

}  // namespace ember::cpu
