// 2-D max pooling with fixed windows (cpu/pool.h, depth 1, not adaptive), compiled for each
// instruction set: a vector of output columns at a time.
//
// Each plane is first copied into a scratch padded with -inf (which never wins: the first max
// wins ties, and a window of padding only keeps its first in-bounds position with -inf, as
// core/pool_scalar.h), split by column phase as in cpu/conv_depthwise.simd.cc:
//   phases (sw, ph, pt): phases[q][y][t] = padded[y][t * sw + q],
//   padded[y][x] = input[y - pad_h][x - pad_w] (-inf outside),
// so that window tap (i, j) of a row of outputs is one contiguous load, for any stride. The
// taps are visited in the reference's order (rows, then columns) with the same rule, a larger
// value or a NaN takes the place, so values and indices match the scalar kernel exactly.
#include "cpu/pool_simd.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "cpu/simd_vec.h"
#include "ember/parallel.h"

namespace ember::cpu {
namespace EMBER_CPU_NS {
namespace {

// p[0, n) = the first n lanes of idx, widened to int64.
template <class T>
inline void store_indices(int64_t* p, const IVec<T>& idx, int64_t n) {
#if defined(__AVX512F__)
  if constexpr (sizeof(T) == 4) {
    const __m512i v = (__m512i)idx;
    const __m512i lo = _mm512_cvtepi32_epi64(_mm512_castsi512_si256(v));
    const __m512i hi = _mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64(v, 1));
    _mm512_mask_storeu_epi64(p, static_cast<__mmask8>(n >= 8 ? 0xff : (1u << n) - 1), lo);
    if (n > 8) _mm512_mask_storeu_epi64(p + 8, static_cast<__mmask8>((1u << (n - 8)) - 1), hi);
  } else {
    _mm512_mask_storeu_epi64(p, static_cast<__mmask8>((1u << n) - 1), (__m512i)idx);
  }
#else
  for (int64_t l = 0; l < n; ++l) p[l] = idx[l];
#endif
}

// The first in-bounds position of each window along one axis (pool_hd::window's start).
std::vector<int64_t> window_starts(int64_t out, int64_t stride, int64_t pad, int64_t dil) {
  std::vector<int64_t> starts(static_cast<size_t>(out));
  for (int64_t o = 0; o < out; ++o) {
    int64_t start = o * stride - pad;
    while (start < 0) start += dil;
    starts[o] = start;
  }
  return starts;
}

template <class T>
void max_pool2d(const PoolShape& s, const T* input, T* output, int64_t* indices) {
  using I = typename VecOf<T>::lane_index;  // fits a plane (the caller checks)
  constexpr int64_t V = kLanes<T>;
  const int64_t h = s.h, w = s.w, out_h = s.out_h, out_w = s.out_w;
  const int64_t kh = s.kh, kw = s.kw, sh = s.stride_h, sw = s.stride_w;
  const int64_t dh = s.dil_h, dw = s.dil_w, top = s.pad_h, left = s.pad_w;
  const int64_t ph = (out_h - 1) * sh + (kh - 1) * dh + 1;
  const int64_t cols_v = ceil_div(out_w, V) * V, pt = cols_v + (kw - 1) * dw / sw;
  const std::vector<int64_t> row_start = window_starts(out_h, sh, top, dh);
  const std::vector<int64_t> col_start = window_starts(out_w, sw, left, dw);
  // the starting index lanes of each vector of columns: its windows' first columns
  std::vector<IVec<T>> first_col(static_cast<size_t>(cols_v / V));
  for (int64_t x = 0; x < cols_v; x += V)
    for (int64_t l = 0; l < V; ++l) first_col[x / V][l] = col_start[std::min(x + l, out_w - 1)];
  IVec<T> lane{};
  for (int64_t l = 0; l < V; ++l) lane[l] = l * sw;
  const T neg_inf = -static_cast<T>(INFINITY);
  const int64_t grain =
      std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, out_h * cols_v * kh * kw));
  parallel_for(0, s.planes, grain, [&](int64_t p0, int64_t p1) {
    T* phases = thread_scratch<T>(static_cast<size_t>(sw * ph * pt));
    for (int64_t p = p0; p < p1; ++p) {
      const T* in = input + p * h * w;
      for (int64_t q = 0; q < sw; ++q)
        for (int64_t y = 0; y < ph; ++y) {
          T* dst = phases + (q * ph + y) * pt;
          const int64_t a = y - top;
          // phase columns t whose input column t * sw + q - left lies in [0, w)
          const int64_t lo = std::clamp<int64_t>(ceil_div(left - q, sw), 0, pt);
          const int64_t hi = std::clamp<int64_t>(ceil_div(w + left - q, sw), lo, pt);
          if (a < 0 || a >= h) {
            std::fill(dst, dst + pt, neg_inf);
            continue;
          }
          std::fill(dst, dst + lo, neg_inf);
          std::fill(dst + hi, dst + pt, neg_inf);
          const T* row = in + a * w + q - left;
          if (sw == 1)
            std::copy(row + lo, row + hi, dst + lo);
          else
            for (int64_t t = lo; t < hi; ++t) dst[t] = row[t * sw];
        }
      T* out = output + p * out_h * out_w;
      int64_t* ind = indices + p * out_h * out_w;
      for (int64_t oh = 0; oh < out_h; ++oh)
        for (int64_t x = 0; x < out_w; x += V) {
          Vec<T> best = Vec<T>{} + neg_inf;
          // the window's first in-bounds position, and the input column of each lane's tap 0
          IVec<T> at = first_col[x / V] + static_cast<I>(row_start[oh] * w);
          const IVec<T> cols = lane + static_cast<I>(x * sw - left);
          for (int64_t i = 0; i < kh; ++i) {
            const int64_t y = oh * sh + i * dh;
            const IVec<T> row_at = cols + static_cast<I>((y - top) * w);
            for (int64_t j = 0; j < kw; ++j) {
              const Vec<T> v = load(phases + ((j * dw) % sw * ph + y) * pt + x + (j * dw) / sw);
              const auto take = (v > best) | (v != v);  // the first max, or the last NaN
              best = take ? v : best;
              at = take ? row_at + static_cast<I>(j * dw) : at;
            }
          }
          const int64_t n = std::min(V, out_w - x);
          store_n(out + oh * out_w + x, best, n);
          store_indices<T>(ind + oh * out_w + x, at, n);
        }
    }
  });
}

}  // namespace
}  // namespace EMBER_CPU_NS

EMBER_REGISTER_DISPATCH(max_pool2d_f32_stub, &EMBER_CPU_NS::max_pool2d<float>);
EMBER_REGISTER_DISPATCH(max_pool2d_f64_stub, &EMBER_CPU_NS::max_pool2d<double>);

}  // namespace ember::cpu
