// Depthwise convolution (see cpu/conv_depthwise.h), compiled for each instruction set.
//
// All three passes are one primitive, a correlation of a single plane with a kh x kw kernel:
//   dst[y][x] = sum_{i,j} w[i][j] * src'[y * sh - top + i * dh][x * sw - left + j * dw]
// where src' is the source plane spread out by zeros (element (a, b) at (a * spread_h,
// b * spread_w)) and zero outside. The forward is that with the layer's geometry; the gradient
// to the input is the correlation of grad_output, spread by the strides, with the flipped kernel
// (stride 1, top = (kh - 1) * dh - pad_h); the gradient to the weight is, per tap, the dot
// product of grad_output with the plane that the tap reads.
//
// The source plane is first copied into a zero-padded scratch, split by column phase (phase q
// holds padded columns q, q + sw, q + 2 sw, ...), so that every tap of every output row reads
// one contiguous run at a fixed offset: no bounds checks, and a stride of 2 costs no gathers.
// Each block of R output rows x one vector of columns is summed in registers over the taps.
#include "cpu/conv_depthwise.h"

#include <algorithm>
#include <vector>

#include "cpu/simd_vec.h"
#include "ember/parallel.h"

namespace ember::cpu {
namespace EMBER_CPU_NS {
namespace {

// dst[0, n) = src[0, n) by whole vectors: the last one writes zeros up to n rounded up to
// whole vectors (past dst + n, into what the caller writes next or its slack).
template <class T>
inline void copy_row_spill(const T* src, T* dst, int64_t n) {
  int64_t k = 0;
  for (; k + kLanes<T> <= n; k += kLanes<T>) store(dst + k, load(src + k));
  if (k < n) store(dst + k, load_n(src + k, n - k));
}

// dst[0, n) = 0 by whole vectors (the same spill).
template <class T>
inline void zero_row_spill(T* dst, int64_t n) {
  for (int64_t k = 0; k < n; k += kLanes<T>) store(dst + k, Vec<T>{});
}

// Output rows summed together in registers (each tap's weight loaded once for all of them).
constexpr int kRowBlock = 4;
// Taps summed together in registers by the weight gradient (grad_output loaded once for all).
constexpr int kTapBlock = 8;
// Multiply-adds worth a thread of their own.
constexpr int64_t kGrainWork = 1 << 15;

// One plane correlation (see the top of the file) and its scratch layout:
//   phases (sw, ph, pt): phases[q][y][t] = padded[y][t * sw + q], padded being src' shifted by
//     (top, left), zero where no real output reads; pt covers cols rounded up to whole
//     vectors (the extra lanes of the last vector of a row read it and are dropped).
template <class T>
struct Correlation {
  Correlation(int64_t src_h_, int64_t src_w_, int64_t spread_h_, int64_t spread_w_,
              int64_t rows_, int64_t cols_, int64_t kh_, int64_t kw_, int64_t sh_, int64_t sw_,
              int64_t dh_, int64_t dw_, int64_t top_, int64_t left_)
      : src_h(src_h_), src_w(src_w_), spread_h(spread_h_), spread_w(spread_w_), rows(rows_),
        cols(cols_), kh(kh_), kw(kw_), sh(sh_), sw(sw_), dh(dh_), dw(dw_), top(top_),
        left(left_) {
    ph = (rows - 1) * sh + (kh - 1) * dh + 1;
    cols_v = ceil_div(cols, kLanes<T>) * kLanes<T>;
    pt = cols_v + (kw - 1) * dw / sw;
    used_w = (cols - 1) * sw + (kw - 1) * dw + 1;
    for (int64_t i = 0; i < kh; ++i)
      for (int64_t j = 0; j < kw; ++j)
        offsets.push_back(((j * dw) % sw * ph + i * dh) * pt + (j * dw) / sw);
  }
  int64_t src_h, src_w, spread_h, spread_w, rows, cols, kh, kw, sh, sw, dh, dw, top, left;
  int64_t ph, cols_v, pt;
  int64_t used_w;                // padded columns [0, used_w) are read by real outputs
  std::vector<int64_t> offsets;  // tap (i, j) of output (y, x) reads phases[off + y * sh * pt + x]
  // with a vector of slack for the spills of fill_phases
  int64_t phases_size() const { return sw * ph * pt + kLanes<T>; }
  int64_t row_step() const { return sh * pt; }
  int64_t taps() const { return kh * kw; }
};

// phases = the scratch copy of src (src_h, src_w) described by c.
template <class T>
void fill_phases(const Correlation<T>& c, const T* src, T* phases) {
  const int64_t limit = std::min(c.src_w * c.spread_w, c.used_w - c.left);  // spread columns
  for (int64_t q = 0; q < c.sw; ++q)
    for (int64_t y = 0; y < c.ph; ++y) {
      T* dst = phases + (q * c.ph + y) * c.pt;
      const int64_t a = y - c.top;
      if (a < 0 || a % c.spread_h != 0 || a / c.spread_h >= c.src_h) {
        zero_row_spill(dst, c.pt);
        continue;
      }
      const T* row = src + a / c.spread_h * c.src_w;
      // phase columns t whose spread column t * sw + q - left lies in [0, limit)
      const int64_t lo = std::clamp<int64_t>(ceil_div(c.left - q, c.sw), 0, c.pt);
      const int64_t hi = std::clamp<int64_t>(ceil_div(limit + c.left - q, c.sw), lo, c.pt);
      if (c.spread_w == 1 && c.sw == 1) {  // rows are filled in order: spills are rewritten
        zero_row_spill(dst, c.pt);
        if (hi > lo) copy_row_spill(row + (lo - c.left), dst + lo, hi - lo);
        continue;
      }
      std::fill(dst, dst + lo, T(0));
      std::fill(dst + hi, dst + c.pt, T(0));
      if (c.spread_w == 1) {
        if (hi > lo) gather_stride(row + lo * c.sw + q - c.left, c.sw, dst + lo, hi - lo);
      } else {  // zeros, then source column k at spread column k * spread_w
        std::fill(dst + lo, dst + hi, T(0));
        for (int64_t k = std::max<int64_t>(0, ceil_div(lo * c.sw + q - c.left, c.spread_w));
             k * c.spread_w < hi * c.sw + q - c.left; ++k) {
          const int64_t b = k * c.spread_w + c.left - q;  // = t * sw for the phase column t
          if (b % c.sw == 0) dst[b / c.sw] = row[k];
        }
      }
    }
}

// dst (rows, cols), row stride cols: the vector of columns [x, x + n) of rows [y, y + R).
template <class T, int R>
struct RowBlock {
  template <class F>
  static inline void update(T* dst, int64_t cols, int64_t y, int64_t x, int64_t n,
                            bool accumulate, T bias, const F& sum_taps) {
    Vec<T> acc[R];
    for (int r = 0; r < R; ++r) {
      T* at = dst + (y + r) * cols + x;
      acc[r] = !accumulate ? Vec<T>{} + bias
               : n == kLanes<T> ? load(at)
                                : load_n(at, n);
    }
    sum_taps(acc);
    for (int r = 0; r < R; ++r) {
      T* at = dst + (y + r) * cols + x;
      if (n == kLanes<T>)
        store(at, acc[r]);
      else
        store_n(at, acc[r], n);
    }
  }
};

// Rows [y, y + R) of dst (rows, cols) = init + the correlation of phases with the taps w
// (kh * kw), init being dst itself with accumulate, else bias. Any geometry: per tap, R loads.
template <class T, int R>
inline void correlate_rows(const Correlation<T>& c, const T* phases, const T* w, int64_t y,
                           bool accumulate, T bias, T* dst) {
  const int64_t step = c.row_step(), taps = c.taps();
  const int64_t* offsets = c.offsets.data();
  for (int64_t x = 0; x < c.cols; x += kLanes<T>) {
    const T* base = phases + y * step + x;
    RowBlock<T, R>::update(dst, c.cols, y, x, std::min(kLanes<T>, c.cols - x), accumulate, bias,
                           [&](Vec<T>* acc) {
      for (int64_t t = 0; t < taps; ++t) {
        const T wt = w[t];
        const T* p = base + offsets[t];
        for (int r = 0; r < R; ++r) acc[r] += wt * load(p + r * step);
      }
    });
  }
}

// The same for a KH x KW kernel at row stride SH and row dilation 1: output rows y + r and
// y + r + 1 share input rows, so each input row is loaded once per column shift for all R
// output rows, and the taps stay in registers.
template <class T, int KH, int KW, int SH, int R>
inline void correlate_rows_fixed(const Correlation<T>& c, const T* phases, const Vec<T>* w,
                                 int64_t y, bool accumulate, T bias, T* dst) {
  const int64_t pt = c.pt;
  const int64_t* shifts = c.offsets.data();  // taps (0, j): phase and column shift only
  for (int64_t x = 0; x < c.cols; x += kLanes<T>) {
    const T* base = phases + y * SH * pt + x;
    RowBlock<T, R>::update(dst, c.cols, y, x, std::min(kLanes<T>, c.cols - x), accumulate, bias,
                           [&](Vec<T>* acc) {
#pragma GCC unroll 16
      for (int a = 0; a < (R - 1) * SH + KH; ++a)
#pragma GCC unroll 16
        for (int j = 0; j < KW; ++j) {
          const Vec<T> v = load(base + a * pt + shifts[j]);
#pragma GCC unroll 16
          for (int r = 0; r < R; ++r)
            if (a - r * SH >= 0 && a - r * SH < KH) acc[r] += w[(a - r * SH) * KW + j] * v;
        }
    });
  }
}

template <class T, int KH, int KW, int SH, int R>
void correlate_fixed(const Correlation<T>& c, const T* phases, const T* w, bool accumulate,
                     T bias, T* dst) {
  Vec<T> taps[KH * KW];
  for (int t = 0; t < KH * KW; ++t) taps[t] = Vec<T>{} + w[t];
  int64_t y = 0;
  for (; y + R <= c.rows; y += R)
    correlate_rows_fixed<T, KH, KW, SH, R>(c, phases, taps, y, accumulate, bias, dst);
  for (; y < c.rows; ++y)
    correlate_rows_fixed<T, KH, KW, SH, 1>(c, phases, taps, y, accumulate, bias, dst);
}

// dst (rows, cols) = init + the correlation (see correlate_rows).
template <class T>
void correlate(const Correlation<T>& c, const T* phases, const T* w, bool accumulate, T bias,
               T* dst) {
  if (c.sh == 1 && c.dh == 1) {
    if (c.kh == 3 && c.kw == 3) return correlate_fixed<T, 3, 3, 1, 4>(c, phases, w, accumulate, bias, dst);
    if (c.kh == 5 && c.kw == 5) return correlate_fixed<T, 5, 5, 1, 2>(c, phases, w, accumulate, bias, dst);
  }
  if (c.sh == 2 && c.dh == 1 && c.kh == 3 && c.kw == 3)  // MobileNet's downsampling layers
    return correlate_fixed<T, 3, 3, 2, 4>(c, phases, w, accumulate, bias, dst);
  int64_t y = 0;
  for (; y + kRowBlock <= c.rows; y += kRowBlock)
    correlate_rows<T, kRowBlock>(c, phases, w, y, accumulate, bias, dst);
  for (; y < c.rows; ++y) correlate_rows<T, 1>(c, phases, w, y, accumulate, bias, dst);
}

int64_t plane_grain(int64_t work_per_plane) {
  return std::max<int64_t>(1, kGrainWork / std::max<int64_t>(work_per_plane, 1));
}

// Per plane (b, ci): phases of input[b, ci]; output[b, co] for its multiplier's channels co.
template <class T>
void forward(const ConvShape& s, const T* input, const T* weight, const T* bias, T* output) {
  const Correlation<T> c(s.in[1], s.in[2], 1, 1, s.out[1], s.out[2], s.k[1], s.k[2],
                         s.stride[1], s.stride[2], s.dil[1], s.dil[2], s.pad[1], s.pad[2]);
  const int64_t mult = s.c_out_group(), taps = c.taps();
  const int64_t in_plane = s.in[1] * s.in[2], out_plane = s.out[1] * s.out[2];
  parallel_for(0, s.n * s.c_in, plane_grain(mult * c.rows * c.cols_v * taps),
               [&](int64_t p0, int64_t p1) {
    T* phases = thread_scratch<T>(c.phases_size());
    for (int64_t p = p0; p < p1; ++p) {
      fill_phases(c, input + p * in_plane, phases);
      const int64_t b = p / s.c_in, ci = p % s.c_in;
      for (int64_t co = ci * mult; co < (ci + 1) * mult; ++co) {
        correlate(c, phases, weight + co * taps, false, bias ? bias[co] : T(0),
                  output + (b * s.c_out + co) * out_plane);
      }
    }
  });
}

// Per plane (b, ci): grad_input[b, ci] = sum over its channels co of the correlation of
// grad_output[b, co] (spread by the strides) with the flipped kernel of co.
template <class T>
void backward_input(const ConvShape& s, const T* grad_output, const T* weight,
                    T* grad_input) {
  const Correlation<T> c(s.out[1], s.out[2], s.stride[1], s.stride[2], s.in[1], s.in[2],
                         s.k[1], s.k[2], 1, 1, s.dil[1], s.dil[2],
                         (s.k[1] - 1) * s.dil[1] - s.pad[1], (s.k[2] - 1) * s.dil[2] - s.pad[2]);
  const int64_t mult = s.c_out_group(), taps = c.taps();
  const int64_t in_plane = s.in[1] * s.in[2], out_plane = s.out[1] * s.out[2];
  std::vector<T> flipped(static_cast<size_t>(s.c_out * taps));
  for (int64_t co = 0; co < s.c_out; ++co)
    for (int64_t t = 0; t < taps; ++t)
      flipped[co * taps + t] = weight[co * taps + taps - 1 - t];
  parallel_for(0, s.n * s.c_in, plane_grain(mult * c.rows * c.cols_v * taps),
               [&](int64_t p0, int64_t p1) {
    T* phases = thread_scratch<T>(c.phases_size());
    for (int64_t p = p0; p < p1; ++p) {
      const int64_t b = p / s.c_in, ci = p % s.c_in;
      for (int64_t co = ci * mult; co < (ci + 1) * mult; ++co) {
        fill_phases(c, grad_output + (b * s.c_out + co) * out_plane, phases);
        correlate(c, phases, flipped.data() + co * taps, co > ci * mult, T(0),
                  grad_input + p * in_plane);
      }
    }
  });
}

// sums[t0 + k] += the dot products of go (rows, cols_v) with the phases that taps
// t0 .. t0 + K - 1 read, summed in registers.
template <class T, int K>
inline void dot_taps(const Correlation<T>& c, const T* phases, const T* go, int64_t t0,
                     T* sums) {
  const int64_t step = c.row_step();
  Vec<T> acc[K];
  const T* tap[K];
  for (int k = 0; k < K; ++k) {
    acc[k] = Vec<T>{};
    tap[k] = phases + c.offsets[t0 + k];
  }
  // The last vector of a row when cols is not whole vectors: its extra lanes may read real
  // input (another tap's), so their products are dropped, not multiplied by zero (inf * 0).
  const int64_t whole = c.cols / kLanes<T> * kLanes<T>;
  Vec<T> lane{};
  for (int64_t l = 0; l < kLanes<T>; ++l) lane[l] = static_cast<T>(l);
  const auto in_tail = lane < static_cast<T>(c.cols - whole);
  for (int64_t y = 0; y < c.rows; ++y) {
    for (int64_t x = 0; x < whole; x += kLanes<T>) {
      const Vec<T> g = load(go + y * c.cols_v + x);
      for (int k = 0; k < K; ++k) acc[k] += g * load(tap[k] + y * step + x);
    }
    if (whole == c.cols) continue;
    const Vec<T> g = load(go + y * c.cols_v + whole);
    for (int k = 0; k < K; ++k)
      acc[k] += in_tail ? g * load(tap[k] + y * step + whole) : Vec<T>{};
  }
  for (int k = 0; k < K; ++k) {
    T sum = 0;
    for (int64_t l = 0; l < kLanes<T>; ++l) sum += acc[k][l];
    sums[t0 + k] += sum;
  }
}

// Per input channel ci (all samples, its multiplier's channels co): the phases of input[b, ci]
// as in the forward, grad_output[b, co] in rows of cols_v (the extra lanes masked), and each
// tap's dot product of the two.
template <class T>
void backward_weight(const ConvShape& s, const T* grad_output, const T* input,
                     T* grad_weight) {
  const Correlation<T> c(s.in[1], s.in[2], 1, 1, s.out[1], s.out[2], s.k[1], s.k[2],
                         s.stride[1], s.stride[2], s.dil[1], s.dil[2], s.pad[1], s.pad[2]);
  const int64_t mult = s.c_out_group(), taps = c.taps();
  const int64_t in_plane = s.in[1] * s.in[2], out_plane = s.out[1] * s.out[2];
  parallel_for(0, s.c_in, plane_grain(s.n * mult * c.rows * c.cols_v * taps),
               [&](int64_t c0, int64_t c1) {
    T* phases = thread_scratch<T>(c.phases_size() + c.rows * c.cols_v);
    T* go = phases + c.phases_size();
    for (int64_t ci = c0; ci < c1; ++ci) {
      T* gw = grad_weight + ci * mult * taps;
      std::fill(gw, gw + mult * taps, T(0));
      for (int64_t b = 0; b < s.n; ++b) {
        fill_phases(c, input + (b * s.c_in + ci) * in_plane, phases);
        for (int64_t m = 0; m < mult; ++m) {
          const T* src = grad_output + (b * s.c_out + ci * mult + m) * out_plane;
          for (int64_t y = 0; y < c.rows; ++y) {
            T* row = go + y * c.cols_v;
            std::copy(src + y * c.cols, src + (y + 1) * c.cols, row);
          }
          int64_t t = 0;
          for (; t + kTapBlock <= taps; t += kTapBlock)
            dot_taps<T, kTapBlock>(c, phases, go, t, gw + m * taps);
          for (; t < taps; ++t) dot_taps<T, 1>(c, phases, go, t, gw + m * taps);
        }
      }
    }
  });
}

template <class T>
DepthwiseKernels<T> kernels() {
  return {&forward<T>, &backward_input<T>, &backward_weight<T>};
}

}  // namespace
}  // namespace EMBER_CPU_NS

EMBER_REGISTER_DISPATCH(depthwise_f32_stub, &EMBER_CPU_NS::kernels<float>);
EMBER_REGISTER_DISPATCH(depthwise_f64_stub, &EMBER_CPU_NS::kernels<double>);

}  // namespace ember::cpu
