// im2col and col2im on a zero-padded sample (see cpu/conv_im2col.h): per kernel tap and output
// row, one branch-free copy (or add) of the output columns.
#include "cpu/conv_im2col.h"

#include <algorithm>
#include <type_traits>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace ember::cpu {
namespace EMBER_CPU_NS {
namespace {

// dst[0, n) = src[0, n), or dst[0, n) += src[0, n) with kAdd. Rows are short (out_w: 14 or 28
// values in a small CNN), so the tail matters: with AVX-512 it is one masked vector, not a
// scalar loop.
#if defined(__AVX512F__)
template <bool kAdd>
inline void row_op(const float* src, float* dst, int64_t n) {
  int64_t k = 0;
  for (; k + 16 <= n; k += 16) {
    __m512 v = _mm512_loadu_ps(src + k);
    if (kAdd) v = _mm512_add_ps(_mm512_loadu_ps(dst + k), v);
    _mm512_storeu_ps(dst + k, v);
  }
  if (k < n) {
    const __mmask16 m = static_cast<__mmask16>((1u << (n - k)) - 1);
    __m512 v = _mm512_maskz_loadu_ps(m, src + k);
    if (kAdd) v = _mm512_add_ps(_mm512_maskz_loadu_ps(m, dst + k), v);
    _mm512_mask_storeu_ps(dst + k, m, v);
  }
}

template <bool kAdd>
inline void row_op(const double* src, double* dst, int64_t n) {
  int64_t k = 0;
  for (; k + 8 <= n; k += 8) {
    __m512d v = _mm512_loadu_pd(src + k);
    if (kAdd) v = _mm512_add_pd(_mm512_loadu_pd(dst + k), v);
    _mm512_storeu_pd(dst + k, v);
  }
  if (k < n) {
    const __mmask8 m = static_cast<__mmask8>((1u << (n - k)) - 1);
    __m512d v = _mm512_maskz_loadu_pd(m, src + k);
    if (kAdd) v = _mm512_add_pd(_mm512_maskz_loadu_pd(m, dst + k), v);
    _mm512_mask_storeu_pd(dst + k, m, v);
  }
}
#else
template <bool kAdd, class T>
inline void row_op(const T* src, T* dst, int64_t n) {
  for (int64_t k = 0; k < n; ++k) dst[k] = kAdd ? dst[k] + src[k] : src[k];
}
#endif

// The sizes are computed here rather than by Conv2dShape's inline helpers, which the plain
// build shares: this file's instruction set stays in this file's symbols.
template <class T>
void im2col_padded(const Conv2dShape& s, int64_t padded_w, const T* padded, T* col,
                   int64_t ldcol) {
  const int64_t channels = s.c_in / s.groups;
  const int64_t padded_plane = ((s.out_h - 1) * s.stride_h + (s.kh - 1) * s.dil_h + 1) * padded_w;
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t i = 0; i < s.kh; ++i)
      for (int64_t j = 0; j < s.kw; ++j) {
        T* row = col + ((c * s.kh + i) * s.kw + j) * ldcol;
        const T* tap = padded + c * padded_plane + i * s.dil_h * padded_w + j * s.dil_w;
        for (int64_t oh = 0; oh < s.out_h; ++oh) {
          const T* src = tap + oh * s.stride_h * padded_w;
          T* dst = row + oh * s.out_w;
          if (s.stride_w == 1)
            row_op<false>(src, dst, s.out_w);
          else
            for (int64_t ow = 0; ow < s.out_w; ++ow) dst[ow] = src[ow * s.stride_w];
        }
      }
}

#if defined(__AVX512F__)
// col2im for float at stride_w = dil_w = 1: per channel, kernel row i and output row oh, the
// kw taps all add into one padded row, tap j shifted right by j. Summing them in registers (16
// padded columns a vector, each tap a masked load of its row at offset -j) writes each padded
// row once instead of kw times: the adds no longer wait on each other's stores.
void col2im_rows_f32(const Conv2dShape& s, int64_t padded_w, const float* col, int64_t ldcol,
                     float* padded) {
  const int64_t channels = s.c_in / s.groups;
  const int64_t padded_plane = ((s.out_h - 1) * s.stride_h + (s.kh - 1) * s.dil_h + 1) * padded_w;
  const int64_t out_w = s.out_w;
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t i = 0; i < s.kh; ++i) {
      const float* taps = col + (c * s.kh + i) * s.kw * ldcol;  // row (c, i, 0)
      float* rows = padded + c * padded_plane + i * s.dil_h * padded_w;
      for (int64_t oh = 0; oh < s.out_h; ++oh) {
        float* dst = rows + oh * s.stride_h * padded_w;
        const int64_t src_offset = oh * out_w;
        for (int64_t x0 = 0; x0 < padded_w; x0 += 16) {
          __m512 acc = _mm512_setzero_ps();
          for (int64_t j = 0; j < s.kw; ++j) {
            // lanes l with j <= x0 + l < j + out_w read col row j at output column x0 + l - j
            const int64_t lo = std::clamp<int64_t>(j - x0, 0, 16);
            const int64_t hi = std::clamp<int64_t>(j + out_w - x0, 0, 16);
            if (lo >= hi) continue;
            const __mmask16 m =
                static_cast<__mmask16>(((1u << hi) - 1) & ~((1u << lo) - 1));
            const float* src = taps + j * ldcol + src_offset + (x0 - j);
            acc = _mm512_add_ps(acc, _mm512_maskz_loadu_ps(m, src));
          }
          const int64_t n = std::min<int64_t>(16, padded_w - x0);
          const __mmask16 keep = static_cast<__mmask16>((1u << n) - 1);
          _mm512_mask_storeu_ps(dst + x0, keep,
                                _mm512_add_ps(_mm512_maskz_loadu_ps(keep, dst + x0), acc));
        }
      }
    }
}
#endif

template <class T>
void col2im_padded(const Conv2dShape& s, int64_t padded_w, const T* col, int64_t ldcol,
                   T* padded) {
#if defined(__AVX512F__)
  if constexpr (std::is_same_v<T, float>)
    if (s.stride_w == 1 && s.dil_w == 1) return col2im_rows_f32(s, padded_w, col, ldcol, padded);
#endif
  const int64_t channels = s.c_in / s.groups;
  const int64_t padded_plane = ((s.out_h - 1) * s.stride_h + (s.kh - 1) * s.dil_h + 1) * padded_w;
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t i = 0; i < s.kh; ++i)
      for (int64_t j = 0; j < s.kw; ++j) {
        const T* row = col + ((c * s.kh + i) * s.kw + j) * ldcol;
        T* tap = padded + c * padded_plane + i * s.dil_h * padded_w + j * s.dil_w;
        for (int64_t oh = 0; oh < s.out_h; ++oh) {
          const T* src = row + oh * s.out_w;
          T* dst = tap + oh * s.stride_h * padded_w;
          if (s.stride_w == 1)
            row_op<true>(src, dst, s.out_w);
          else
            for (int64_t ow = 0; ow < s.out_w; ++ow) dst[ow * s.stride_w] += src[ow];
        }
      }
}

}  // namespace
}  // namespace EMBER_CPU_NS

EMBER_REGISTER_DISPATCH(conv_im2col_f32_stub, &EMBER_CPU_NS::im2col_padded<float>);
EMBER_REGISTER_DISPATCH(conv_im2col_f64_stub, &EMBER_CPU_NS::im2col_padded<double>);
EMBER_REGISTER_DISPATCH(conv_col2im_f32_stub, &EMBER_CPU_NS::col2im_padded<float>);
EMBER_REGISTER_DISPATCH(conv_col2im_f64_stub, &EMBER_CPU_NS::col2im_padded<double>);

}  // namespace ember::cpu
