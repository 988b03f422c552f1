// Nearest, linear and bicubic upsampling (1 to 3 spatial dims) on the CPU: planes split over
// the threads. The source indices and weights of every output row, column and depth slice come
// once per call from core/upsample_scalar.h, so the inner loops run over a row with no division.
// Linear and bicubic are separable: each input row is first resized along W into a scratch
// (in_d, in_h, out_w) per thread, then each output row is a weighted sum of scratch rows (a
// vector loop). The backward passes run the same steps transposed, scattering into their own
// plane of grad_input, so planes never race.
//   input / grad_input (planes, in_d, in_h, in_w); output / grad_output (planes, out_d, out_h,
//   out_w); scratch (in_d, in_h, out_w) per thread.
#include "cpu/upsample.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "ember/parallel.h"

namespace ember::cpu {
namespace {

int64_t plane_grain(const UpsampleShape& s) {
  return std::max<int64_t>(1, kGrainSize / std::max<int64_t>(s.out_plane() * 4, 1));
}

// The taps of one axis: output index o reads input indices index[o * k + j] with weights
// weight[o * k + j], j < k.
template <class T>
struct AxisTaps {
  int k;
  std::vector<int64_t> index;
  std::vector<T> weight;
};

// The taps of an axis of in -> out for the linear kernels: 2 (linear) or 4 (cubic) per output
// index, or 1 of weight 1 on an axis the kernel does not resize (the depth of 2-D and 1-D).
template <class T>
AxisTaps<T> interp_taps(const UpsampleShape& s, int64_t in, int64_t out, double scale,
                        bool resized) {
  AxisTaps<T> a{!resized ? 1 : (s.cubic ? 4 : 2), {}, {}};
  a.index.resize(out * a.k);
  a.weight.resize(out * a.k);
  for (int64_t o = 0; o < out; ++o) {
    int64_t* i = &a.index[o * a.k];
    T* w = &a.weight[o * a.k];
    if (!resized) {
      i[0] = 0, w[0] = 1;
    } else if (s.cubic) {
      const auto t = upsample_hd::cubic<T>(o, in, out, scale, s.align_corners);
      std::copy(t.i, t.i + 4, i);
      std::copy(t.w, t.w + 4, w);
    } else {
      const auto t = upsample_hd::linear<T>(o, in, out, scale, s.align_corners);
      i[0] = t.i0, i[1] = t.i1, w[0] = t.l0, w[1] = t.l1;
    }
  }
  return a;
}

// The input index of each output index along one nearest axis.
std::vector<int64_t> nearest_index(const UpsampleShape& s, int64_t in, int64_t out,
                                   double scale) {
  std::vector<int64_t> index(out);
  for (int64_t o = 0; o < out; ++o)
    index[o] = upsample_hd::nearest(o, in, out, scale, s.exact, s.shortcuts);
  return index;
}

// Calls fn(first plane, end plane, scratch) over the planes, in parallel.
template <class T, class Fn>
void for_planes(const UpsampleShape& s, int64_t scratch, Fn&& fn) {
  parallel_for(0, s.planes, plane_grain(s), [&](int64_t p0, int64_t p1) {
    std::vector<T> buffer(scratch);
    fn(p0, p1, buffer.data());
  });
}

// Whether index[o] == o / 2 for every o (a doubled axis), which needs no gather.
bool is_doubling(const std::vector<int64_t>& index) {
  for (size_t o = 0; o < index.size(); ++o)
    if (index[o] != static_cast<int64_t>(o / 2)) return false;
  return true;
}

// The source index along each axis, and whether the width doubles.
struct NearestAxes {
  std::vector<int64_t> d, h, w;
  bool doubling;
};

NearestAxes nearest_axes(const UpsampleShape& s) {
  auto w = nearest_index(s, s.in_w, s.out_w, s.scale_w);
  const bool doubling = is_doubling(w);
  return {nearest_index(s, s.in_d, s.out_d, s.scale_d),
          nearest_index(s, s.in_h, s.out_h, s.scale_h), std::move(w), doubling};
}

// Each output row gathered from its input row, or copied from the previous output row when
// both read the same input row (an upsampled height or depth).
template <class T>
void nearest_forward(const UpsampleShape& s, const T* input, T* output) {
  const NearestAxes axes = nearest_axes(s);
  for_planes<T>(s, 0, [&](int64_t p0, int64_t p1, T*) {
    for (int64_t p = p0; p < p1; ++p) {
      T* out = output + p * s.out_plane();
      int64_t last = -1;  // the input row offset of the previous output row
      for (int64_t od = 0; od < s.out_d; ++od)
        for (int64_t oh = 0; oh < s.out_h; ++oh, out += s.out_w) {
          const int64_t at = (axes.d[od] * s.in_h + axes.h[oh]) * s.in_w;
          if (at == last) {
            std::copy(out - s.out_w, out, out);
            continue;
          }
          last = at;
          const T* row = input + p * s.in_plane() + at;
          if (axes.doubling) {
            for (int64_t ow = 0; ow < s.out_w / 2; ++ow) out[2 * ow] = out[2 * ow + 1] = row[ow];
            if (s.out_w % 2) out[s.out_w - 1] = row[s.out_w / 2];
          } else {
            for (int64_t ow = 0; ow < s.out_w; ++ow) out[ow] = row[axes.w[ow]];
          }
        }
    }
  });
}

template <class T>
void nearest_backward(const UpsampleShape& s, const T* grad_output, T* grad_input) {
  const NearestAxes axes = nearest_axes(s);
  for_planes<T>(s, 0, [&](int64_t p0, int64_t p1, T*) {
    for (int64_t p = p0; p < p1; ++p) {
      const T* g = grad_output + p * s.out_plane();
      for (int64_t od = 0; od < s.out_d; ++od)
        for (int64_t oh = 0; oh < s.out_h; ++oh, g += s.out_w) {
          T* row = grad_input + p * s.in_plane() + (axes.d[od] * s.in_h + axes.h[oh]) * s.in_w;
          if (axes.doubling) {
            for (int64_t ow = 0; ow < s.out_w / 2; ++ow) row[ow] += g[2 * ow] + g[2 * ow + 1];
            if (s.out_w % 2) row[s.out_w / 2] += g[s.out_w - 1];
          } else {
            for (int64_t ow = 0; ow < s.out_w; ++ow) row[axes.w[ow]] += g[ow];
          }
        }
    }
  });
}

// The three axes' taps of the linear kernels.
template <class T>
struct Separable {
  AxisTaps<T> d, h, w;
  explicit Separable(const UpsampleShape& s)
      : d(interp_taps<T>(s, s.in_d, s.out_d, s.scale_d, s.in_d > 1)),
        h(interp_taps<T>(s, s.in_h, s.out_h, s.scale_h, true)),
        w(interp_taps<T>(s, s.in_w, s.out_w, s.scale_w, true)) {}
};

// The sum over the depth and row taps of output row (od, oh): out[ow] = sum_a wd_a *
// (sum_b wh_b * rows[(d_a, h_b)][ow]), rows (in_d, in_h, out_w); the CPU forward's order of
// operations, which is upsample_scalar.h's.
template <class T>
void combine_rows(const UpsampleShape& s, const Separable<T>& t, int64_t od, int64_t oh,
                  const T* rows, T* out, T* acc) {
  for (int a = 0; a < t.d.k; ++a) {
    const int64_t di = t.d.index[od * t.d.k + a];
    const T dw = t.d.weight[od * t.d.k + a];
    const T* r0 = rows + (di * s.in_h + t.h.index[oh * t.h.k]) * s.out_w;
    const T w0 = t.h.weight[oh * t.h.k];
    for (int64_t ow = 0; ow < s.out_w; ++ow) acc[ow] = w0 * r0[ow];
    for (int b = 1; b < t.h.k; ++b) {
      const T* rb = rows + (di * s.in_h + t.h.index[oh * t.h.k + b]) * s.out_w;
      const T wb = t.h.weight[oh * t.h.k + b];
      for (int64_t ow = 0; ow < s.out_w; ++ow) acc[ow] += wb * rb[ow];
    }
    if (t.d.k == 1) {
      std::copy(acc, acc + s.out_w, out);
    } else if (a == 0) {
      for (int64_t ow = 0; ow < s.out_w; ++ow) out[ow] = dw * acc[ow];
    } else {
      for (int64_t ow = 0; ow < s.out_w; ++ow) out[ow] += dw * acc[ow];
    }
  }
}

// Resizes rows input rows of in_w along W into rows of out_w: to[ow] = sum_j w_j * row[i_j],
// K taps (a compile-time count, so the tap loop unrolls).
template <int K, class T>
void resize_rows(const UpsampleShape& s, const AxisTaps<T>& w, const T* in, int64_t rows,
                 T* to) {
  for (int64_t r = 0; r < rows; ++r, in += s.in_w, to += s.out_w)
    for (int64_t ow = 0; ow < s.out_w; ++ow) {
      const int64_t* i = &w.index[ow * K];
      const T* wt = &w.weight[ow * K];
      T sum = wt[0] * in[i[0]] + wt[1] * in[i[1]];
      for (int j = 2; j < K; ++j) sum += wt[j] * in[i[j]];
      to[ow] = sum;
    }
}

template <class T>
void linear_forward(const UpsampleShape& s, const T* input, T* output) {
  const Separable<T> t(s);
  const int64_t in_rows = s.in_d * s.in_h;
  for_planes<T>(s, (in_rows + 1) * s.out_w, [&](int64_t p0, int64_t p1, T* rows) {
    T* acc = rows + in_rows * s.out_w;
    for (int64_t p = p0; p < p1; ++p) {
      const T* in = input + p * s.in_plane();
      if (s.cubic)
        resize_rows<4>(s, t.w, in, in_rows, rows);
      else
        resize_rows<2>(s, t.w, in, in_rows, rows);
      T* out = output + p * s.out_plane();
      for (int64_t od = 0; od < s.out_d; ++od)
        for (int64_t oh = 0; oh < s.out_h; ++oh, out += s.out_w)
          combine_rows(s, t, od, oh, rows, out, acc);
    }
  });
}

template <class T>
void linear_backward(const UpsampleShape& s, const T* grad_output, T* grad_input) {
  const Separable<T> t(s);
  const int64_t k = t.w.k, in_rows = s.in_d * s.in_h;
  for_planes<T>(s, in_rows * s.out_w, [&](int64_t p0, int64_t p1, T* rows) {
    for (int64_t p = p0; p < p1; ++p) {
      // the transpose of the row sums: rows[(d_a, h_b)] += wd_a * wh_b * grad_output row
      std::fill(rows, rows + in_rows * s.out_w, T(0));
      const T* g = grad_output + p * s.out_plane();
      for (int64_t od = 0; od < s.out_d; ++od)
        for (int64_t oh = 0; oh < s.out_h; ++oh, g += s.out_w)
          for (int a = 0; a < t.d.k; ++a)
            for (int b = 0; b < t.h.k; ++b) {
              const T w = t.d.weight[od * t.d.k + a] * t.h.weight[oh * t.h.k + b];
              T* to = rows + (t.d.index[od * t.d.k + a] * s.in_h + t.h.index[oh * t.h.k + b]) *
                                 s.out_w;
              for (int64_t ow = 0; ow < s.out_w; ++ow) to[ow] += w * g[ow];
            }
      // the transpose of the W resize: scatter each scratch row into its input row
      T* gin = grad_input + p * s.in_plane();
      for (int64_t r = 0; r < in_rows; ++r) {
        const T* from = rows + r * s.out_w;
        T* row = gin + r * s.in_w;
        for (int64_t ow = 0; ow < s.out_w; ++ow)
          for (int64_t j = 0; j < k; ++j)
            row[t.w.index[ow * k + j]] += t.w.weight[ow * k + j] * from[ow];
      }
    }
  });
}

}  // namespace

void upsample_nearest_forward(const UpsampleShape& s, DType dtype, const void* input,
                              void* output) {
  EMBER_DISPATCH_FLOATING(dtype, "upsample_nearest", [&] {
    nearest_forward(s, static_cast<const scalar_t*>(input), static_cast<scalar_t*>(output));
  });
}

void upsample_nearest_backward(const UpsampleShape& s, DType dtype, const void* grad_output,
                               void* grad_input) {
  EMBER_DISPATCH_FLOATING(dtype, "upsample_nearest_backward", [&] {
    nearest_backward(s, static_cast<const scalar_t*>(grad_output),
                     static_cast<scalar_t*>(grad_input));
  });
}

void upsample_linear_forward(const UpsampleShape& s, DType dtype, const void* input,
                             void* output) {
  EMBER_DISPATCH_FLOATING(dtype, "upsample_linear", [&] {
    linear_forward(s, static_cast<const scalar_t*>(input), static_cast<scalar_t*>(output));
  });
}

void upsample_linear_backward(const UpsampleShape& s, DType dtype, const void* grad_output,
                              void* grad_input) {
  EMBER_DISPATCH_FLOATING(dtype, "upsample_linear_backward", [&] {
    linear_backward(s, static_cast<const scalar_t*>(grad_output),
                    static_cast<scalar_t*>(grad_input));
  });
}

}  // namespace ember::cpu
