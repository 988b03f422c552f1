// 3-D convolution on the CPU, two rungs (the 2-D kernels' ladder of cpu/conv.cc, one axis more):
//   - direct: one output (or gradient) element at a time, the formulas of core/conv3d_scalar.h
//     (the reference, shared with the CUDA kernels);
//   - vol2col + GEMM: per sample and group, the input patches are unrolled into a column
//     matrix col (c_in_group * kd * kh * kw, out_d * out_h * out_w) and
//       output_g = weight_g @ col                  (bias in the GEMM epilogue)
//       col_grad = weight_g^T @ grad_output_g      then col2vol adds it into grad_input
//       grad_weight_g += grad_output_g @ col^T
// Samples are split over the threads; each thread owns one column buffer and, for grad_weight,
// one partial sum added in at the end.
#include "cpu/conv3d.h"

#include <algorithm>
#include <mutex>
#include <vector>

#include "cpu/gemm/gemm.h"
#include "ember/error.h"
#include "ember/parallel.h"

namespace ember::cpu {
namespace {

// Multiply-adds worth a thread of their own in the direct kernels.
constexpr int64_t kDirectGrainWork = 1 << 15;

int64_t direct_grain(int64_t work_per_element) {
  return std::max<int64_t>(1, kDirectGrainWork / std::max<int64_t>(work_per_element, 1));
}

template <class T>
void forward_direct(const Conv3dShape& s, const T* input, const T* weight, const T* bias,
                    T* output) {
  const int64_t vol = s.out_volume();
  parallel_for(0, s.n * s.c_out * vol, direct_grain(s.c_in_group() * s.taps()),
               [&](int64_t begin, int64_t end) {
    for (int64_t idx = begin; idx < end; ++idx) {
      const int64_t ow = idx % s.out[2], oh = idx / s.out[2] % s.out[1];
      const int64_t od = idx / (s.out[2] * s.out[1]) % s.out[0];
      const int64_t co = idx / vol % s.c_out, b = idx / vol / s.c_out;
      const T v = conv3d_hd::output_element(s, input, weight, b, co, od, oh, ow);
      output[idx] = bias ? hd::add_rn(v, bias[co]) : v;
    }
  });
}

template <class T>
void backward_input_direct(const Conv3dShape& s, const T* grad_output, const T* weight,
                           T* grad_input) {
  const int64_t vol = s.in_volume();
  parallel_for(0, s.n * s.c_in * vol, direct_grain(s.c_out_group() * s.taps()),
               [&](int64_t begin, int64_t end) {
    for (int64_t idx = begin; idx < end; ++idx) {
      const int64_t iw = idx % s.in[2], ih = idx / s.in[2] % s.in[1];
      const int64_t id = idx / (s.in[2] * s.in[1]) % s.in[0];
      const int64_t ci = idx / vol % s.c_in, b = idx / vol / s.c_in;
      grad_input[idx] = conv3d_hd::grad_input_element(s, grad_output, weight, b, ci, id, ih, iw);
    }
  });
}

template <class T>
void backward_weight_direct(const Conv3dShape& s, const T* grad_output, const T* input,
                            T* grad_weight) {
  const int64_t cig = s.c_in_group(), taps = s.taps();
  parallel_for(0, s.c_out * cig * taps, direct_grain(s.n * s.out_volume()),
               [&](int64_t begin, int64_t end) {
    for (int64_t idx = begin; idx < end; ++idx) {
      const int64_t tw = idx % s.k[2], th = idx / s.k[2] % s.k[1];
      const int64_t td = idx / (s.k[2] * s.k[1]) % s.k[0];
      const int64_t c = idx / taps % cig, co = idx / taps / cig;
      grad_weight[idx] = conv3d_hd::grad_weight_element(s, grad_output, input, co, c, td, th, tw);
    }
  });
}

// The ow range [lo, hi) whose input column iw = ow * stride - pad + tw * dil lies in [0, w).
struct Span {
  int64_t lo, hi;
};

Span valid_columns(const Conv3dShape& s, int64_t tw) {
  const int64_t first = tw * s.dil[2] - s.pad[2];  // iw at ow = 0
  const int64_t st = s.stride[2];
  const int64_t lo = first >= 0 ? 0 : (-first + st - 1) / st;
  const int64_t hi = s.in[2] - first <= 0 ? 0 : (s.in[2] - first + st - 1) / st;
  return {std::min(lo, s.out[2]), std::min(std::max(hi, lo), s.out[2])};
}

// Visits each row of out_w entries of the column matrix of one sample's group, in order:
// f(col, in_row, iw0, span), with col the offset of the row in col, in_row the offset of the
// input row it reads (or -1 where the whole row is padding) and iw0 the input column of ow = 0;
// only the ow of span read the input. A column-matrix row is (c, td, th, tw), its columns
// (od, oh, ow).
template <class F>
void for_each_col_row(const Conv3dShape& s, const F& f) {
  int64_t col = 0;
  for (int64_t c = 0; c < s.c_in_group(); ++c)
    for (int64_t td = 0; td < s.k[0]; ++td)
      for (int64_t th = 0; th < s.k[1]; ++th)
        for (int64_t tw = 0; tw < s.k[2]; ++tw) {
          const Span span = valid_columns(s, tw);
          const int64_t iw0 = tw * s.dil[2] - s.pad[2];
          for (int64_t od = 0; od < s.out[0]; ++od) {
            const int64_t id = conv3d_hd::input_pos(s, 0, od, td);
            const bool d_in = id >= 0 && id < s.in[0];
            for (int64_t oh = 0; oh < s.out[1]; ++oh, col += s.out[2]) {
              const int64_t ih = conv3d_hd::input_pos(s, 1, oh, th);
              const bool inside = d_in && ih >= 0 && ih < s.in[1];
              f(col, inside ? ((c * s.in[0] + id) * s.in[1] + ih) * s.in[2] : -1, iw0, span);
            }
          }
        }
}

// col (cig * taps, out_volume) from the group's input (cig, d, h, w); zeros for padding.
template <class T>
void vol2col(const Conv3dShape& s, const T* in, T* col) {
  const int64_t st = s.stride[2];
  for_each_col_row(s, [&](int64_t c, int64_t in_row, int64_t iw0, Span span) {
    T* dst = col + c;
    if (in_row < 0) {
      std::fill(dst, dst + s.out[2], T(0));
      return;
    }
    std::fill(dst, dst + span.lo, T(0));
    const T* src = in + in_row + iw0;
    for (int64_t ow = span.lo; ow < span.hi; ++ow) dst[ow] = src[ow * st];
    std::fill(dst + span.hi, dst + s.out[2], T(0));
  });
}

// The adjoint of vol2col: adds each entry of col into the input element it was read from.
template <class T>
void col2vol(const Conv3dShape& s, const T* col, T* in) {
  const int64_t st = s.stride[2];
  for_each_col_row(s, [&](int64_t c, int64_t in_row, int64_t iw0, Span span) {
    if (in_row < 0) return;
    const T* src = col + c;
    T* dst = in + in_row + iw0;
    for (int64_t ow = span.lo; ow < span.hi; ++ow) dst[ow * st] += src[ow];
  });
}

// The sizes every vol2col kernel uses.
struct Vol2colDims {
  explicit Vol2colDims(const Conv3dShape& s)
      : cig(s.c_in_group()), cog(s.c_out_group()), taps(cig * s.taps()),
        out_vol(s.out_volume()), in_vol(s.in_volume()) {}
  int64_t cig, cog, taps, out_vol, in_vol;
  size_t col_size() const { return static_cast<size_t>(taps * out_vol); }
};

template <class T>
void forward_vol2col(const Conv3dShape& s, const T* input, const T* weight, const T* bias,
                     T* output) {
  const Vol2colDims d(s);
  parallel_for(0, s.n, 1, [&](int64_t b0, int64_t b1) {
    std::vector<T> col(d.col_size());
    for (int64_t b = b0; b < b1; ++b) {
      for (int64_t g = 0; g < s.groups; ++g) {
        vol2col(s, input + (b * s.c_in + g * d.cig) * d.in_vol, col.data());
        GemmArgs<T> a;
        a.m = d.cog;
        a.n = d.out_vol;
        a.k = d.taps;
        a.a = weight + g * d.cog * d.taps;
        a.lda = d.taps;
        a.b = col.data();
        a.ldb = d.out_vol;
        a.c = output + (b * s.c_out + g * d.cog) * d.out_vol;
        a.ldc = d.out_vol;
        if (bias) {
          a.epilogue.bias = bias + g * d.cog;
          a.epilogue.bias_kind = BiasKind::Column;
        }
        gemm(a);
      }
    }
  });
}

template <class T>
void backward_input_vol2col(const Conv3dShape& s, const T* grad_output, const T* weight,
                            T* grad_input) {
  const Vol2colDims d(s);
  parallel_for(0, s.n, 1, [&](int64_t b0, int64_t b1) {
    std::vector<T> col(d.col_size());
    for (int64_t b = b0; b < b1; ++b) {
      for (int64_t g = 0; g < s.groups; ++g) {
        GemmArgs<T> a;
        a.trans_a = true;
        a.m = d.taps;
        a.n = d.out_vol;
        a.k = d.cog;
        a.a = weight + g * d.cog * d.taps;
        a.lda = d.taps;
        a.b = grad_output + (b * s.c_out + g * d.cog) * d.out_vol;
        a.ldb = d.out_vol;
        a.c = col.data();
        a.ldc = d.out_vol;
        gemm(a);
        T* gin_g = grad_input + (b * s.c_in + g * d.cig) * d.in_vol;
        std::fill(gin_g, gin_g + d.cig * d.in_vol, T(0));
        col2vol(s, col.data(), gin_g);
      }
    }
  });
}

template <class T>
void backward_weight_vol2col(const Conv3dShape& s, const T* grad_output, const T* input,
                             T* grad_weight) {
  const Vol2colDims d(s);
  const int64_t weight_size = s.c_out * d.taps;
  std::fill(grad_weight, grad_weight + weight_size, T(0));
  std::mutex sum_lock;
  parallel_for(0, s.n, 1, [&](int64_t b0, int64_t b1) {
    std::vector<T> col(d.col_size()), partial(static_cast<size_t>(weight_size));
    for (int64_t b = b0; b < b1; ++b) {
      for (int64_t g = 0; g < s.groups; ++g) {
        vol2col(s, input + (b * s.c_in + g * d.cig) * d.in_vol, col.data());
        GemmArgs<T> a;
        a.trans_b = true;
        a.m = d.cog;
        a.n = d.taps;
        a.k = d.out_vol;
        a.a = grad_output + (b * s.c_out + g * d.cog) * d.out_vol;
        a.lda = d.out_vol;
        a.b = col.data();
        a.ldb = d.out_vol;
        a.beta = b == b0 ? T(0) : T(1);
        a.c = partial.data() + g * d.cog * d.taps;
        a.ldc = d.taps;
        gemm(a);
      }
    }
    std::lock_guard<std::mutex> hold(sum_lock);
    for (int64_t e = 0; e < weight_size; ++e) grad_weight[e] += partial[e];
  });
}

// The direct reference when asked for (or without input channels: nothing to multiply, the
// bias or zeros are written); vol2col + GEMM otherwise.
bool use_direct(const Conv3dShape& s, ConvVariant variant) {
  return variant == ConvVariant::Naive || s.c_in_group() == 0;
}

}  // namespace

void conv3d_forward(const Conv3dShape& s, DType dtype, const void* input, const void* weight,
                    const void* bias, void* output, ConvVariant variant) {
  EMBER_DISPATCH_FLOATING(dtype, "conv3d", [&] {
    const auto* in = static_cast<const scalar_t*>(input);
    const auto* w = static_cast<const scalar_t*>(weight);
    const auto* bi = static_cast<const scalar_t*>(bias);
    auto* out = static_cast<scalar_t*>(output);
    if (use_direct(s, variant)) return forward_direct(s, in, w, bi, out);
    forward_vol2col(s, in, w, bi, out);
  });
}

void conv3d_backward_input(const Conv3dShape& s, DType dtype, const void* grad_output,
                           const void* weight, void* grad_input, ConvVariant variant) {
  EMBER_DISPATCH_FLOATING(dtype, "conv3d_backward_input", [&] {
    const auto* go = static_cast<const scalar_t*>(grad_output);
    const auto* w = static_cast<const scalar_t*>(weight);
    auto* gi = static_cast<scalar_t*>(grad_input);
    if (use_direct(s, variant)) return backward_input_direct(s, go, w, gi);
    backward_input_vol2col(s, go, w, gi);
  });
}

void conv3d_backward_weight(const Conv3dShape& s, DType dtype, const void* grad_output,
                            const void* input, void* grad_weight, ConvVariant variant) {
  EMBER_DISPATCH_FLOATING(dtype, "conv3d_backward_weight", [&] {
    const auto* go = static_cast<const scalar_t*>(grad_output);
    const auto* in = static_cast<const scalar_t*>(input);
    auto* gw = static_cast<scalar_t*>(grad_weight);
    if (use_direct(s, variant)) return backward_weight_direct(s, go, in, gw);
    backward_weight_vol2col(s, go, in, gw);
  });
}

}  // namespace ember::cpu
