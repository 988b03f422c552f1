// 2-D max and average pooling with fixed windows (cpu/pool.h, depth 1, not adaptive), compiled
// for each instruction set: a vector of output columns at a time.
//
// Each plane is first copied into a padded scratch, -inf around for max pooling (which never
// wins: the first max wins ties, and a window of padding only keeps its first in-bounds
// position with -inf, as core/pool_scalar.h), zero for average pooling, split by column phase
// as in cpu/conv_depthwise.simd.cc:
//   phases (sw, ph, pt): phases[q][y][t] = padded[y][t * sw + q],
//   padded[y][x] = input[y - pad_h][x - pad_w] (-inf or zero outside),
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

// One plane's padded, phase-split copy (see the top of the file) and the vector loop's sizes.
struct PlaneLayout {
  explicit PlaneLayout(const PoolShape& s, int64_t lanes)
      : h(s.h), w(s.w), out_h(s.out_h), out_w(s.out_w), kh(s.kh), kw(s.kw), sh(s.stride_h),
        sw(s.stride_w), dh(s.dil_h), dw(s.dil_w), top(s.pad_h), left(s.pad_w),
        ph((out_h - 1) * sh + (kh - 1) * dh + 1),
        pt(ceil_div(out_w, lanes) * lanes + (kw - 1) * dw / sw) {}
  int64_t h, w, out_h, out_w, kh, kw, sh, sw, dh, dw, top, left;
  int64_t ph, pt;  // rows of the padded plane, columns of each phase
  int64_t phases_size() const { return sw * ph * pt; }
  // the element of phases that tap (i, j) of output (oh, 0) reads
  int64_t tap(int64_t oh, int64_t i, int64_t j) const {
    return ((j * dw) % sw * ph + oh * sh + i * dh) * pt + (j * dw) / sw;
  }
  // Planes per thread chunk: enough window reads to pay for a thread.
  int64_t grain() const {
    return std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, out_h * pt * kh * kw));
  }
};

// phases = the padded copy of plane in (h, w), pad outside it.
template <class T>
void fill_phases(const PlaneLayout& c, const T* in, T pad, T* phases) {
  for (int64_t q = 0; q < c.sw; ++q)
    for (int64_t y = 0; y < c.ph; ++y) {
      T* dst = phases + (q * c.ph + y) * c.pt;
      const int64_t a = y - c.top;
      // phase columns t whose input column t * sw + q - left lies in [0, w)
      const int64_t lo = std::clamp<int64_t>(ceil_div(c.left - q, c.sw), 0, c.pt);
      const int64_t hi = std::clamp<int64_t>(ceil_div(c.w + c.left - q, c.sw), lo, c.pt);
      if (a < 0 || a >= c.h) {
        std::fill(dst, dst + c.pt, pad);
        continue;
      }
      std::fill(dst, dst + lo, pad);
      std::fill(dst + hi, dst + c.pt, pad);
      const T* row = in + a * c.w + q - c.left;
      if (c.sw == 1)
        std::copy(row + lo, row + hi, dst + lo);
      else
        gather_stride(row + lo * c.sw, c.sw, dst + lo, hi - lo);
    }
}

template <class T>
void max_pool2d(const PoolShape& s, const T* input, T* output, int64_t* indices) {
  using I = typename VecOf<T>::lane_index;  // fits a plane (the caller checks)
  constexpr int64_t V = kLanes<T>;
  const PlaneLayout c(s, V);
  const std::vector<int64_t> row_start = window_starts(c.out_h, c.sh, c.top, c.dh);
  const std::vector<int64_t> col_start = window_starts(c.out_w, c.sw, c.left, c.dw);
  // the starting index lanes of each vector of columns: its windows' first columns
  std::vector<IVec<T>> first_col(static_cast<size_t>(ceil_div(c.out_w, V)));
  for (int64_t x = 0; x < c.out_w; x += V)
    for (int64_t l = 0; l < V; ++l) first_col[x / V][l] = col_start[std::min(x + l, c.out_w - 1)];
  IVec<T> lane{};
  for (int64_t l = 0; l < V; ++l) lane[l] = l * c.sw;
  const T neg_inf = -static_cast<T>(INFINITY);
  parallel_for(0, s.planes, c.grain(), [&](int64_t p0, int64_t p1) {
    T* phases = thread_scratch<T>(static_cast<size_t>(c.phases_size()));
    for (int64_t p = p0; p < p1; ++p) {
      fill_phases(c, input + p * c.h * c.w, neg_inf, phases);
      T* out = output + p * c.out_h * c.out_w;
      int64_t* ind = indices + p * c.out_h * c.out_w;
      for (int64_t oh = 0; oh < c.out_h; ++oh)
        for (int64_t x = 0; x < c.out_w; x += V) {
          Vec<T> best = Vec<T>{} + neg_inf;
          // the window's first in-bounds position, and the input column of each lane's tap 0
          IVec<T> at = first_col[x / V] + static_cast<I>(row_start[oh] * c.w);
          const IVec<T> cols = lane + static_cast<I>(x * c.sw - c.left);
          for (int64_t i = 0; i < c.kh; ++i) {
            const IVec<T> row_at = cols + static_cast<I>((oh * c.sh + i * c.dh - c.top) * c.w);
            for (int64_t j = 0; j < c.kw; ++j) {
              const Vec<T> v = load(phases + c.tap(oh, i, j) + x);
              const auto take = (v > best) | (v != v);  // the first max, or the last NaN
              best = take ? v : best;
              at = take ? row_at + static_cast<I>(j * c.dw) : at;
            }
          }
          const int64_t n = std::min(V, c.out_w - x);
          store_n(out + oh * c.out_w + x, best, n);
          store_indices<T>(ind + oh * c.out_w + x, at, n);
        }
    }
  });
}

// What each window's sum is divided by along one axis (dilation 1), as core/pool_scalar.h:
// the window's extent clipped to the padded input (count_include_pad) or to the input.
std::vector<int64_t> window_counts(int64_t out, int64_t in, int64_t k, int64_t stride,
                                   int64_t pad, bool include_pad) {
  std::vector<int64_t> counts(static_cast<size_t>(out));
  for (int64_t o = 0; o < out; ++o) {
    const int64_t start = o * stride - pad, padded_end = std::min(start + k, in + pad);
    counts[o] = include_pad ? padded_end - start
                            : std::min(padded_end, in) - std::max<int64_t>(start, 0);
  }
  return counts;
}

// Average pooling, dilation 1: the sums over zero padding in the reference's order (rows,
// then columns; the zeros change nothing), divided by the same divisors.
template <class T>
void avg_pool2d(const PoolShape& s, const T* input, T* output) {
  constexpr int64_t V = kLanes<T>;
  const PlaneLayout c(s, V);
  const bool include_pad = s.count_include_pad;
  const std::vector<int64_t> rows = window_counts(c.out_h, c.h, c.kh, c.sh, c.top, include_pad);
  const std::vector<int64_t> cols = window_counts(c.out_w, c.w, c.kw, c.sw, c.left, include_pad);
  // each vector of columns' divisor factor (the lanes past out_w: 1)
  std::vector<Vec<T>> col_factor(static_cast<size_t>(ceil_div(c.out_w, V)));
  for (int64_t x = 0; x < c.out_w; x += V)
    for (int64_t l = 0; l < V; ++l)
      col_factor[x / V][l] = static_cast<T>(x + l < c.out_w ? cols[x + l] : 1);
  parallel_for(0, s.planes, c.grain(), [&](int64_t p0, int64_t p1) {
    T* phases = thread_scratch<T>(static_cast<size_t>(c.phases_size()));
    for (int64_t p = p0; p < p1; ++p) {
      fill_phases(c, input + p * c.h * c.w, T(0), phases);
      T* out = output + p * c.out_h * c.out_w;
      for (int64_t oh = 0; oh < c.out_h; ++oh)
        for (int64_t x = 0; x < c.out_w; x += V) {
          Vec<T> sum{};
          for (int64_t i = 0; i < c.kh; ++i)
            for (int64_t j = 0; j < c.kw; ++j) sum += load(phases + c.tap(oh, i, j) + x);
          Vec<T> divisor = s.divisor > 0 ? Vec<T>{} + static_cast<T>(s.divisor)
                                         : col_factor[x / V] * static_cast<T>(rows[oh]);
          divisor = divisor > 0 ? divisor : Vec<T>{} + T(1);  // an empty window: the sum (0)
          store_n(out + oh * c.out_w + x, sum / divisor, std::min(V, c.out_w - x));
        }
    }
  });
}

}  // namespace
}  // namespace EMBER_CPU_NS

EMBER_REGISTER_DISPATCH(max_pool2d_f32_stub, &EMBER_CPU_NS::max_pool2d<float>);
EMBER_REGISTER_DISPATCH(max_pool2d_f64_stub, &EMBER_CPU_NS::max_pool2d<double>);
EMBER_REGISTER_DISPATCH(avg_pool2d_f32_stub, &EMBER_CPU_NS::avg_pool2d<float>);
EMBER_REGISTER_DISPATCH(avg_pool2d_f64_stub, &EMBER_CPU_NS::avg_pool2d<double>);

}  // namespace ember::cpu
