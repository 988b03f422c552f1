#include "cpu/gemm/pack.h"

#include <algorithm>
#include <cstring>

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
  for (int64_t r0 = 0; r0 < count; r0 += kGroup) {
    const int64_t rn = std::min(kGroup, count - r0);
    for (int64_t p = 0; p < kc; ++p)
      for (int64_t r = 0; r < rn; ++r) dst[p * width + r0 + r] = src[(r0 + r) * ld + p];
  }
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
