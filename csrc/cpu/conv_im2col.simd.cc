// im2col and col2im on a zero-padded sample (see cpu/conv_im2col.h): per kernel tap and output
// row, one branch-free copy (or add) of the output columns.
#include "cpu/conv_im2col.h"

#include <algorithm>
#include <type_traits>

#include "cpu/simd_vec.h"

namespace ember::cpu {
namespace EMBER_CPU_NS {
namespace {

// dst[0, n) = src[0, n), or dst[0, n) += src[0, n) with kAdd. Rows are short (out_w: 14 or 28
// values in a small CNN), so the tail matters: with AVX-512 it is one masked vector, not a
// scalar loop.
template <bool kAdd, class T>
inline void row_op(const T* src, T* dst, int64_t n) {
#if defined(__AVX512F__)
  int64_t k = 0;
  for (; k + kLanes<T> <= n; k += kLanes<T>) {
    Vec<T> v = load(src + k);
    if (kAdd) v += load(dst + k);
    store(dst + k, v);
  }
  if (k < n) {
    Vec<T> v = load_n(src + k, n - k);
    if (kAdd) v += load_n(dst + k, n - k);
    store_n(dst + k, v, n - k);
  }
#else
  for (int64_t k = 0; k < n; ++k) dst[k] = kAdd ? dst[k] + src[k] : src[k];
#endif
}

// The padded extent along axis a (cpu/conv_im2col.h). Computed here rather than by an inline
// helper that the plain build shares: this file's instruction set stays in this file's symbols.
inline int64_t padded_extent(const ConvShape& s, int a) {
  return (s.out[a] - 1) * s.stride[a] + (s.k[a] - 1) * s.dil[a] + 1;
}

// Calls f(in_offset, col_offset) for each output row (od, oh) of each kernel row (c, td, th),
// or with kPerTap of each tap (c, td, th, tw), in the order of the column matrix's rows:
// in_offset is the padded element that the tap (tw = 0 without kPerTap) reads at output
// (od, oh, 0), col_offset the column-matrix element of its row at (od, oh, 0). Without kPerTap,
// tap tw's row lies tw * dil_w further in padded and tw * ldcol further in col.
template <bool kPerTap, class F>
inline void for_each_output_row(const ConvShape& s, int64_t ldcol, const F& f) {
  const int64_t channels = s.c_in / s.groups, taps_w = kPerTap ? s.k[2] : 1;
  const int64_t padded_w = padded_extent(s, 2), padded_hw = padded_extent(s, 1) * padded_w;
  const int64_t padded_vol = padded_extent(s, 0) * padded_hw, row_step = s.stride[1] * padded_w;
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t td = 0; td < s.k[0]; ++td)
      for (int64_t th = 0; th < s.k[1]; ++th)
        for (int64_t tw = 0; tw < taps_w; ++tw) {
          const int64_t row = (((c * s.k[0] + td) * s.k[1] + th) * s.k[2] + tw) * ldcol;
          const int64_t tap = c * padded_vol + td * s.dil[0] * padded_hw +
                              th * s.dil[1] * padded_w + tw * s.dil[2];
          int64_t col_offset = row;
          for (int64_t od = 0; od < s.out[0]; ++od) {
            int64_t in_offset = tap + od * s.stride[0] * padded_hw;
            for (int64_t oh = 0; oh < s.out[1]; ++oh, in_offset += row_step, col_offset += s.out[2])
              f(in_offset, col_offset);
          }
        }
}

template <class T>
void im2col_padded(const ConvShape& s, const T* padded, T* col, int64_t ldcol) {
  const int64_t out_w = s.out[2], stride_w = s.stride[2];
  for_each_output_row<true>(s, ldcol, [&](int64_t in_offset, int64_t col_offset) {
    const T* src = padded + in_offset;
    T* dst = col + col_offset;
    if (stride_w == 1)
      row_op<false>(src, dst, out_w);
    else
      for (int64_t ow = 0; ow < out_w; ++ow) dst[ow] = src[ow * stride_w];
  });
}

#if defined(__AVX512F__)
// col2im for float at stride_w = dil_w = 1: per kernel row (c, td, th) and output row (od, oh),
// the kw taps all add into one padded row, tap j shifted right by j. Summing them in registers (16
// padded columns a vector, each tap a masked load of its row at offset -j) writes each padded
// row once instead of kw times: the adds no longer wait on each other's stores.
void col2im_rows_f32(const ConvShape& s, const float* col, int64_t ldcol, float* padded) {
  const int64_t out_w = s.out[2], padded_w = padded_extent(s, 2);
  for_each_output_row<false>(s, ldcol, [&](int64_t in_offset, int64_t col_offset) {
    float* dst = padded + in_offset;
    const float* taps = col + col_offset;  // row (c, td, th, 0) at (od, oh, 0)
    for (int64_t x0 = 0; x0 < padded_w; x0 += 16) {
      __m512 acc = _mm512_setzero_ps();
      for (int64_t j = 0; j < s.k[2]; ++j) {
        // lanes l with j <= x0 + l < j + out_w read col row j at output column x0 + l - j
        const int64_t lo = std::clamp<int64_t>(j - x0, 0, 16);
        const int64_t hi = std::clamp<int64_t>(j + out_w - x0, 0, 16);
        if (lo >= hi) continue;
        const __mmask16 m = static_cast<__mmask16>(((1u << hi) - 1) & ~((1u << lo) - 1));
        acc = _mm512_add_ps(acc, _mm512_maskz_loadu_ps(m, taps + j * ldcol + (x0 - j)));
      }
      const int64_t n = std::min<int64_t>(16, padded_w - x0);
      const __mmask16 keep = static_cast<__mmask16>((1u << n) - 1);
      _mm512_mask_storeu_ps(dst + x0, keep,
                            _mm512_add_ps(_mm512_maskz_loadu_ps(keep, dst + x0), acc));
    }
  });
}
#endif

template <class T>
void col2im_padded(const ConvShape& s, const T* col, int64_t ldcol, T* padded) {
#if defined(__AVX512F__)
  if constexpr (std::is_same_v<T, float>)
    if (s.stride[2] == 1 && s.dil[2] == 1) return col2im_rows_f32(s, col, ldcol, padded);
#endif
  const int64_t out_w = s.out[2], stride_w = s.stride[2];
  for_each_output_row<true>(s, ldcol, [&](int64_t in_offset, int64_t col_offset) {
    const T* src = col + col_offset;
    T* dst = padded + in_offset;
    if (stride_w == 1)
      row_op<true>(src, dst, out_w);
    else
      for (int64_t ow = 0; ow < out_w; ++ow) dst[ow * stride_w] += src[ow];
  });
}

}  // namespace
}  // namespace EMBER_CPU_NS

EMBER_REGISTER_DISPATCH(conv_im2col_f32_stub, &EMBER_CPU_NS::im2col_padded<float>);
EMBER_REGISTER_DISPATCH(conv_im2col_f64_stub, &EMBER_CPU_NS::im2col_padded<double>);
EMBER_REGISTER_DISPATCH(conv_col2im_f32_stub, &EMBER_CPU_NS::col2im_padded<float>);
EMBER_REGISTER_DISPATCH(conv_col2im_f64_stub, &EMBER_CPU_NS::col2im_padded<double>);

}  // namespace ember::cpu
