// 2-D convolution on the CPU, two rungs:
//   - direct: one output (or gradient) element at a time, the formulas of core/conv_scalar.h
//     (the reference); for depthwise layers, the same sums by kernel rows (branch-free spans);
//   - im2col + GEMM: for a tile of samples and a group, the input patches are unrolled into a
//     column matrix col (c_in_group * kh * kw, tile * out_h * out_w), the samples side by side,
//     and each pass is one packed GEMM over the whole tile
//       output_g = weight_g @ col                  (bias in the GEMM epilogue)
//       col_grad = weight_g^T @ grad_output_g      then col2im adds it into grad_input
//       grad_weight_g += grad_output_g @ col^T
//     (grad_output_g gathered as (c_out_group, tile * out_h * out_w)); im2col and col2im go
//     through a zero-padded copy of each sample (cpu/conv_im2col.h). A 1x1, stride-1,
//     unpadded convolution reads the input as col directly (no im2col, one sample at a time).
// Samples are split over the threads; each thread owns one column buffer of at most
// kColBudget elements (or one sample's), so memory stays bounded whatever the batch, and, for
// grad_weight, one partial sum added in at the end. With one sample, the GEMM uses the threads.
#include "cpu/conv.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <vector>

#include "cpu/conv_im2col.h"
#include "cpu/gemm/gemm.h"
#include "ember/error.h"
#include "ember/parallel.h"

namespace ember::cpu {

EMBER_DEFINE_DISPATCH(ConvIm2colFn<float>, conv_im2col_f32_stub);
EMBER_DEFINE_DISPATCH(ConvIm2colFn<double>, conv_im2col_f64_stub);
EMBER_DEFINE_DISPATCH(ConvCol2imFn<float>, conv_col2im_f32_stub);
EMBER_DEFINE_DISPATCH(ConvCol2imFn<double>, conv_col2im_f64_stub);

namespace {

// Multiply-adds worth a thread of their own in the direct kernels.
constexpr int64_t kDirectGrainWork = 1 << 15;

int64_t direct_grain(int64_t work_per_element) {
  return std::max<int64_t>(1, kDirectGrainWork / std::max<int64_t>(work_per_element, 1));
}

bool is_pointwise(const Conv2dShape& s) {
  return s.kh == 1 && s.kw == 1 && s.stride_h == 1 && s.stride_w == 1 && s.pad_h == 0 &&
         s.pad_w == 0 && s.out_h == s.h && s.out_w == s.w;
}

template <class T>
void forward_direct(const Conv2dShape& s, const T* input, const T* weight, const T* bias,
                    T* output) {
  const int64_t plane = s.out_h * s.out_w;
  parallel_for(0, s.n * s.c_out * plane, direct_grain(s.c_in_group() * s.kh * s.kw),
               [&](int64_t begin, int64_t end) {
    for (int64_t idx = begin; idx < end; ++idx) {
      const int64_t ow = idx % s.out_w, oh = idx / s.out_w % s.out_h;
      const int64_t co = idx / plane % s.c_out, b = idx / plane / s.c_out;
      const T v = conv_hd::output_element(s, input, weight, b, co, oh, ow);
      output[idx] = bias ? hd::add_rn(v, bias[co]) : v;
    }
  });
}

template <class T>
void backward_input_direct(const Conv2dShape& s, const T* grad_output, const T* weight,
                           T* grad_input) {
  const int64_t plane = s.h * s.w;
  parallel_for(0, s.n * s.c_in * plane, direct_grain(s.c_out_group() * s.kh * s.kw),
               [&](int64_t begin, int64_t end) {
    for (int64_t idx = begin; idx < end; ++idx) {
      const int64_t iw = idx % s.w, ih = idx / s.w % s.h;
      const int64_t ci = idx / plane % s.c_in, b = idx / plane / s.c_in;
      grad_input[idx] = conv_hd::grad_input_element(s, grad_output, weight, b, ci, ih, iw);
    }
  });
}

template <class T>
void backward_weight_direct(const Conv2dShape& s, const T* grad_output, const T* input,
                            T* grad_weight) {
  const int64_t cig = s.c_in_group(), taps = s.kh * s.kw;
  parallel_for(0, s.c_out * cig * taps, direct_grain(s.n * s.out_h * s.out_w),
               [&](int64_t begin, int64_t end) {
    for (int64_t idx = begin; idx < end; ++idx) {
      const int64_t j = idx % s.kw, i = idx / s.kw % s.kh;
      const int64_t c = idx / taps % cig, co = idx / taps / cig;
      grad_weight[idx] = conv_hd::grad_weight_element(s, grad_output, input, co, c, i, j);
    }
  });
}

// The output columns that tap column j reads inside the input: [first, last), reading input
// column ow * stride_w + offset; the columns outside read padding.
struct ColumnSpan {
  int64_t first, last, offset;
};

ColumnSpan column_span(const Conv2dShape& s, int64_t j) {
  const int64_t offset = j * s.dil_w - s.pad_w;
  const int64_t last =
      std::min(s.out_w, s.w - offset <= 0 ? 0 : (s.w - offset + s.stride_w - 1) / s.stride_w);
  const int64_t first = std::min(last, offset >= 0 ? 0 : (s.stride_w - 1 - offset) / s.stride_w);
  return {first, last, offset};
}

// Depthwise-like layers (one input channel per group): the direct kernels by rows. For each
// kernel tap (i, j) and output row oh, the input row ih is fixed and the output columns that
// read inside the input form one span, so the innermost loop has no branch (and vectorizes at
// stride 1).
struct TapRow {
  int64_t i, j, oh, ih;
  int64_t first, last;  // output columns [first, last) read input columns inside [0, w)
  int64_t offset;       // input column of output column ow: ow * stride_w + offset
};

template <class F>
void for_each_tap_row(const Conv2dShape& s, const F& f) {
  for (int64_t j = 0; j < s.kw; ++j) {
    const ColumnSpan span = column_span(s, j);
    for (int64_t i = 0; i < s.kh; ++i)
      for (int64_t oh = 0; oh < s.out_h; ++oh) {
        const int64_t ih = oh * s.stride_h - s.pad_h + i * s.dil_h;
        if (ih >= 0 && ih < s.h) f(TapRow{i, j, oh, ih, span.first, span.last, span.offset});
      }
  }
}

template <class T>
void forward_depthwise(const Conv2dShape& s, const T* input, const T* weight, const T* bias,
                       T* output) {
  const int64_t out_plane = s.out_h * s.out_w, in_plane = s.h * s.w, cog = s.c_out_group();
  parallel_for(0, s.n * s.c_out, direct_grain(out_plane * s.kh * s.kw),
               [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      const int64_t b = p / s.c_out, co = p % s.c_out;
      const T* in = input + (b * s.c_in + co / cog) * in_plane;
      const T* w = weight + co * s.kh * s.kw;
      T* out = output + p * out_plane;
      std::fill(out, out + out_plane, bias ? bias[co] : T(0));
      for_each_tap_row(s, [&](const TapRow& r) {
        const T wv = w[r.i * s.kw + r.j];
        const T* in_row = in + r.ih * s.w + r.offset;
        T* out_row = out + r.oh * s.out_w;
        for (int64_t ow = r.first; ow < r.last; ++ow) out_row[ow] += wv * in_row[ow * s.stride_w];
      });
    }
  });
}

template <class T>
void backward_input_depthwise(const Conv2dShape& s, const T* grad_output, const T* weight,
                              T* grad_input) {
  const int64_t out_plane = s.out_h * s.out_w, in_plane = s.h * s.w, cog = s.c_out_group();
  parallel_for(0, s.n * s.c_in, direct_grain(cog * out_plane * s.kh * s.kw),
               [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      const int64_t b = p / s.c_in, ci = p % s.c_in;
      T* gin = grad_input + p * in_plane;
      std::fill(gin, gin + in_plane, T(0));
      for (int64_t co = ci * cog; co < (ci + 1) * cog; ++co) {
        const T* go = grad_output + (b * s.c_out + co) * out_plane;
        const T* w = weight + co * s.kh * s.kw;
        for_each_tap_row(s, [&](const TapRow& r) {
          const T wv = w[r.i * s.kw + r.j];
          const T* go_row = go + r.oh * s.out_w;
          T* gin_row = gin + r.ih * s.w + r.offset;
          for (int64_t ow = r.first; ow < r.last; ++ow) gin_row[ow * s.stride_w] += wv * go_row[ow];
        });
      }
    }
  });
}

template <class T>
void backward_weight_depthwise(const Conv2dShape& s, const T* grad_output, const T* input,
                               T* grad_weight) {
  const int64_t out_plane = s.out_h * s.out_w, in_plane = s.h * s.w, cog = s.c_out_group();
  const int64_t taps = s.kh * s.kw;
  parallel_for(0, s.c_out, direct_grain(s.n * out_plane * taps), [&](int64_t c0, int64_t c1) {
    for (int64_t co = c0; co < c1; ++co) {
      T* gw = grad_weight + co * taps;
      std::fill(gw, gw + taps, T(0));
      for (int64_t b = 0; b < s.n; ++b) {
        const T* go = grad_output + (b * s.c_out + co) * out_plane;
        const T* in = input + (b * s.c_in + co / cog) * in_plane;
        for_each_tap_row(s, [&](const TapRow& r) {
          const T* go_row = go + r.oh * s.out_w;
          const T* in_row = in + r.ih * s.w + r.offset;
          T acc = 0;
          for (int64_t ow = r.first; ow < r.last; ++ow) acc += go_row[ow] * in_row[ow * s.stride_w];
          gw[r.i * s.kw + r.j] += acc;
        });
      }
    }
  });
}

// Elements of column buffer per thread. The samples of a tile share one buffer side by side,
// so one GEMM covers them all (conv 1->32 k5 on 28x28 has 25 x 784 per sample: a thin GEMM
// alone); the buffer stays within the L2 cache (512 KB of floats), where im2col's writes are
// still there for the GEMM's reads: 4x and 32x larger buffers measured 10-40% slower on the
// CNN of examples/fashion_mnist_cnn.py.
constexpr int64_t kColBudget = 1 << 17;

ConvIm2colFn<float> im2col_kernel(float*) { return conv_im2col_f32_stub.get(); }
ConvIm2colFn<double> im2col_kernel(double*) { return conv_im2col_f64_stub.get(); }
ConvCol2imFn<float> col2im_kernel(float*) { return conv_col2im_f32_stub.get(); }
ConvCol2imFn<double> col2im_kernel(double*) { return conv_col2im_f64_stub.get(); }

// The sizes every im2col kernel uses (the padded planes as in cpu/conv_im2col.h).
struct Im2colDims {
  explicit Im2colDims(const Conv2dShape& s)
      : cig(s.c_in_group()), cog(s.c_out_group()), taps(cig * s.kh * s.kw),
        out_plane(s.out_h * s.out_w), in_plane(s.h * s.w),
        padded_h(s.out_h > 0 ? (s.out_h - 1) * s.stride_h + (s.kh - 1) * s.dil_h + 1 : 0),
        padded_w(s.out_w > 0 ? (s.out_w - 1) * s.stride_w + (s.kw - 1) * s.dil_w + 1 : 0),
        pointwise(is_pointwise(s)),
        unpadded(s.pad_h == 0 && s.pad_w == 0 && padded_h == s.h && padded_w == s.w),
        tile(pointwise ? 1 : std::max<int64_t>(1, kColBudget / std::max<int64_t>(col_size(), 1))) {}
  int64_t cig, cog, taps, out_plane, in_plane, padded_h, padded_w;
  bool pointwise;  // the input is its own column matrix: samples go one at a time
  bool unpadded;   // the input planes are their own padded copy
  int64_t tile;    // samples per column buffer
  int64_t padded_size() const { return cig * padded_h * padded_w; }
  int64_t col_size() const { return taps * out_plane; }  // one sample's column matrix
};

// Grow-only scratch of each thread, reused across calls (no allocation, page faults or
// zero-fill per call); every element used is written first. Bounded by the largest request:
// a tile's buffers, at most about kColBudget elements plus one sample's.
template <class T>
T* thread_scratch(int64_t elements) {
  thread_local std::unique_ptr<char[]> buffer;
  thread_local size_t capacity = 0;
  const size_t bytes = static_cast<size_t>(std::max<int64_t>(elements, 1)) * sizeof(T);
  if (bytes > capacity) {
    buffer.reset();
    buffer.reset(new char[bytes]);
    capacity = bytes;
  }
  return reinterpret_cast<T*>(buffer.get());
}

// padded (cig, padded_h, padded_w) = in (cig, h, w) shifted by the padding, zero around.
template <class T>
void pad_planes(const Conv2dShape& s, const Im2colDims& d, const T* in, T* padded) {
  const int64_t copied = std::max<int64_t>(0, std::min(s.w, d.padded_w - s.pad_w));
  const int64_t left = std::min(s.pad_w, d.padded_w);
  for (int64_t c = 0; c < d.cig; ++c)
    for (int64_t py = 0; py < d.padded_h; ++py) {
      T* dst = padded + (c * d.padded_h + py) * d.padded_w;
      const int64_t y = py - s.pad_h;
      if (y < 0 || y >= s.h) {
        std::fill(dst, dst + d.padded_w, T(0));
        continue;
      }
      const T* src = in + (c * s.h + y) * s.w;
      std::fill(dst, dst + left, T(0));
      std::copy(src, src + copied, dst + left);
      std::fill(dst + left + copied, dst + d.padded_w, T(0));
    }
}

// in (cig, h, w) = the input-sized window of padded (zero where no tap reads).
template <class T>
void crop_planes(const Conv2dShape& s, const Im2colDims& d, const T* padded, T* in) {
  const int64_t copied = std::max<int64_t>(0, std::min(s.w, d.padded_w - s.pad_w));
  for (int64_t c = 0; c < d.cig; ++c)
    for (int64_t y = 0; y < s.h; ++y) {
      T* dst = in + (c * s.h + y) * s.w;
      const int64_t py = y + s.pad_h;
      if (py >= d.padded_h) {
        std::fill(dst, dst + s.w, T(0));
        continue;
      }
      const T* src = padded + (c * d.padded_h + py) * d.padded_w + s.pad_w;
      std::copy(src, src + copied, dst);
      std::fill(dst + copied, dst + s.w, T(0));
    }
}

// rows (rows, cols) of `src` with row stride ld_src into `dst` with row stride ld_dst.
template <class T>
void copy_rows(int64_t rows, int64_t cols, const T* src, int64_t ld_src, T* dst,
               int64_t ld_dst) {
  for (int64_t r = 0; r < rows; ++r)
    std::copy(src + r * ld_src, src + r * ld_src + cols, dst + r * ld_dst);
}

// One thread's buffers for a range of samples: col (taps, tile * out_plane), the tile's outputs
// or output gradients (cog, tile * out_plane), one padded sample.
template <class T>
struct TileBuffers {
  TileBuffers(const Im2colDims& d, int64_t tile) {
    const int64_t ld = tile * d.out_plane;
    const int64_t col_size = d.pointwise ? 0 : d.taps * ld;
    const int64_t gathered_size = tile > 1 ? d.cog * ld : 0;
    const int64_t padded_size = d.pointwise || d.unpadded ? 0 : d.padded_size();
    col = thread_scratch<T>(col_size + gathered_size + padded_size);
    gathered = col + col_size;
    padded = gathered + gathered_size;
  }
  T *col, *gathered, *padded;
};

// buf.col (taps, nb * out_plane) = the im2col of the group planes in_g of nb samples.
template <class T>
void tile_im2col(const Conv2dShape& s, const Im2colDims& d, ConvIm2colFn<T> im2col,
                 const T* in_g, int64_t nb, const TileBuffers<T>& buf) {
  for (int64_t l = 0; l < nb; ++l) {
    const T* in = in_g + l * s.c_in * d.in_plane;
    if (!d.unpadded) pad_planes(s, d, in, buf.padded);
    im2col(s, d.padded_w, d.unpadded ? in : buf.padded, buf.col + l * d.out_plane,
           nb * d.out_plane);
  }
}

// gathered (cog, nb * out_plane) = the group planes out_g (cog, out_plane) of nb samples.
template <class T>
void gather_tile(const Conv2dShape& s, const Im2colDims& d, const T* out_g, int64_t nb,
                 T* gathered) {
  for (int64_t l = 0; l < nb; ++l)
    copy_rows(d.cog, d.out_plane, out_g + l * s.c_out * d.out_plane, d.out_plane,
              gathered + l * d.out_plane, nb * d.out_plane);
}

// Per tile of nb samples and group g (group planes of sample b at (b * c + g * cg) * plane):
//   col  (taps, nb * out_plane)   im2col of the tile, sample l in columns [l, l + 1) * out_plane
//   out  (cog, nb * out_plane)    = weight_g @ col + bias, then copied to each sample's planes
// One sample writes straight into output (and a pointwise layer reads the input as col).
template <class T>
void forward_im2col(const Conv2dShape& s, const T* input, const T* weight, const T* bias,
                    T* output) {
  const Im2colDims d(s);
  const auto im2col = im2col_kernel(output);
  parallel_for(0, s.n, 1, [&](int64_t b0, int64_t b1) {
    const int64_t tile = std::min(d.tile, b1 - b0);
    const TileBuffers<T> buf(d, tile);
    for (int64_t b = b0; b < b1; b += tile) {
      const int64_t nb = std::min(tile, b1 - b), ldc = nb * d.out_plane;
      for (int64_t g = 0; g < s.groups; ++g) {
        const T* in_g = input + (b * s.c_in + g * d.cig) * d.in_plane;
        T* out_g = output + (b * s.c_out + g * d.cog) * d.out_plane;
        if (!d.pointwise) tile_im2col(s, d, im2col, in_g, nb, buf);
        GemmArgs<T> a;
        a.m = d.cog;
        a.n = ldc;
        a.k = d.taps;
        a.a = weight + g * d.cog * d.taps;
        a.lda = d.taps;
        a.b = d.pointwise ? in_g : buf.col;
        a.ldb = ldc;
        a.c = nb == 1 ? out_g : buf.gathered;
        a.ldc = ldc;
        if (bias) {
          a.epilogue.bias = bias + g * d.cog;
          a.epilogue.bias_kind = BiasKind::Column;
        }
        gemm(a);
        if (nb > 1)
          for (int64_t l = 0; l < nb; ++l)
            copy_rows(d.cog, d.out_plane, buf.gathered + l * d.out_plane, ldc,
                      out_g + l * s.c_out * d.out_plane, d.out_plane);
      }
    }
  });
}

// Per tile and group: go (cog, nb * out_plane) gathers the tile's grad_output planes,
// col (taps, nb * out_plane) = weight_g^T @ go (weight_g^T transposed once, up front), and
// col2im adds each sample's columns into a zeroed padded sample, whose input-sized window is
// its grad_input. One sample reads grad_output in place (and a pointwise layer writes
// grad_input as col).
template <class T>
void backward_input_im2col(const Conv2dShape& s, const T* grad_output, const T* weight,
                           T* grad_input) {
  const Im2colDims d(s);
  const auto col2im = col2im_kernel(grad_input);
  // weight^T of each group, (taps, cog): the packed GEMM reads a row-major A in place, faster
  // than it packs a transposed one.
  std::unique_ptr<T[]> weight_t(new T[static_cast<size_t>(std::max<int64_t>(s.c_out * d.taps, 1))]);
  for (int64_t g = 0; g < s.groups; ++g)
    for (int64_t co = 0; co < d.cog; ++co)
      for (int64_t t = 0; t < d.taps; ++t)
        weight_t[(g * d.taps + t) * d.cog + co] = weight[(g * d.cog + co) * d.taps + t];
  parallel_for(0, s.n, 1, [&](int64_t b0, int64_t b1) {
    const int64_t tile = std::min(d.tile, b1 - b0);
    const TileBuffers<T> buf(d, tile);
    for (int64_t b = b0; b < b1; b += tile) {
      const int64_t nb = std::min(tile, b1 - b), ldc = nb * d.out_plane;
      for (int64_t g = 0; g < s.groups; ++g) {
        T* gin_g = grad_input + (b * s.c_in + g * d.cig) * d.in_plane;
        const T* go_g = grad_output + (b * s.c_out + g * d.cog) * d.out_plane;
        if (nb > 1) gather_tile(s, d, go_g, nb, buf.gathered);
        GemmArgs<T> a;
        a.m = d.taps;
        a.n = ldc;
        a.k = d.cog;
        a.a = weight_t.get() + g * d.taps * d.cog;
        a.lda = d.cog;
        a.b = nb == 1 ? go_g : buf.gathered;
        a.ldb = ldc;
        a.c = d.pointwise ? gin_g : buf.col;
        a.ldc = ldc;
        gemm(a);
        if (d.pointwise) continue;
        for (int64_t l = 0; l < nb; ++l) {
          T* gin = gin_g + l * s.c_in * d.in_plane;
          T* padded = d.unpadded ? gin : buf.padded;
          std::fill(padded, padded + d.padded_size(), T(0));
          col2im(s, d.padded_w, buf.col + l * d.out_plane, ldc, padded);
          if (!d.unpadded) crop_planes(s, d, buf.padded, gin);
        }
      }
    }
  });
}

// Per tile and group: col (taps, nb * out_plane) as in the forward, go (cog, nb * out_plane)
// as in backward_input, and one GEMM over the whole tile adds go @ col^T into the thread's
// partial (c_out, taps); the partials are summed into grad_weight at the end.
template <class T>
void backward_weight_im2col(const Conv2dShape& s, const T* grad_output, const T* input,
                            T* grad_weight) {
  const Im2colDims d(s);
  const auto im2col = im2col_kernel(grad_weight);
  const int64_t weight_size = s.c_out * d.taps;
  // One range of samples (parallel_for runs on one thread): no partial sums.
  const bool one_range = s.n <= 1 || get_num_threads() == 1 || in_parallel_region();
  if (!one_range || s.n == 0) std::fill(grad_weight, grad_weight + weight_size, T(0));
  std::mutex sum_lock;
  parallel_for(0, s.n, 1, [&](int64_t b0, int64_t b1) {
    const int64_t tile = std::min(d.tile, b1 - b0);
    const TileBuffers<T> buf(d, tile);
    std::unique_ptr<T[]> own(one_range ? nullptr : new T[static_cast<size_t>(weight_size)]);
    T* partial = one_range ? grad_weight : own.get();
    for (int64_t b = b0; b < b1; b += tile) {
      const int64_t nb = std::min(tile, b1 - b), ldc = nb * d.out_plane;
      for (int64_t g = 0; g < s.groups; ++g) {
        const T* in_g = input + (b * s.c_in + g * d.cig) * d.in_plane;
        const T* go_g = grad_output + (b * s.c_out + g * d.cog) * d.out_plane;
        if (!d.pointwise) tile_im2col(s, d, im2col, in_g, nb, buf);
        if (nb > 1) gather_tile(s, d, go_g, nb, buf.gathered);
        GemmArgs<T> a;
        a.trans_b = true;
        a.m = d.cog;
        a.n = d.taps;
        a.k = ldc;
        a.a = nb == 1 ? go_g : buf.gathered;
        a.lda = ldc;
        a.b = d.pointwise ? in_g : buf.col;
        a.ldb = ldc;
        a.beta = b == b0 ? T(0) : T(1);
        a.c = partial + g * d.cog * d.taps;
        a.ldc = d.taps;
        gemm(a);
      }
    }
    if (one_range) return;
    std::lock_guard<std::mutex> hold(sum_lock);
    for (int64_t e = 0; e < weight_size; ++e) grad_weight[e] += own[e];
  });
}

// The kernel that runs: the direct reference (also without input channels: nothing to
// multiply, the bias or zeros are written), the depthwise row kernels (auto, grouped layers
// with one input channel per group, where im2col's GEMMs would be a few rows of 9 taps), or
// im2col + GEMM (a single-channel input with groups=1 still makes a tall GEMM).
enum class Path { Direct, Depthwise, Im2col };

Path path_for(const Conv2dShape& s, ConvVariant variant) {
  if (variant == ConvVariant::Naive || s.c_in_group() == 0) return Path::Direct;
  if (variant == ConvVariant::Auto && s.groups > 1 && s.c_in_group() == 1)
    return Path::Depthwise;
  return Path::Im2col;
}

}  // namespace

void conv2d_forward(const Conv2dShape& s, DType dtype, const void* input, const void* weight,
                    const void* bias, void* output, ConvVariant variant) {
  EMBER_DISPATCH_FLOATING(dtype, "conv2d", [&] {
    const auto* in = static_cast<const scalar_t*>(input);
    const auto* w = static_cast<const scalar_t*>(weight);
    const auto* bi = static_cast<const scalar_t*>(bias);
    auto* out = static_cast<scalar_t*>(output);
    switch (path_for(s, variant)) {
      case Path::Direct: return forward_direct(s, in, w, bi, out);
      case Path::Depthwise: return forward_depthwise(s, in, w, bi, out);
      case Path::Im2col: return forward_im2col(s, in, w, bi, out);
    }
  });
}

void conv2d_backward_input(const Conv2dShape& s, DType dtype, const void* grad_output,
                           const void* weight, void* grad_input, ConvVariant variant) {
  EMBER_DISPATCH_FLOATING(dtype, "conv2d_backward_input", [&] {
    const auto* go = static_cast<const scalar_t*>(grad_output);
    const auto* w = static_cast<const scalar_t*>(weight);
    auto* gi = static_cast<scalar_t*>(grad_input);
    switch (path_for(s, variant)) {
      case Path::Direct: return backward_input_direct(s, go, w, gi);
      case Path::Depthwise: return backward_input_depthwise(s, go, w, gi);
      case Path::Im2col: return backward_input_im2col(s, go, w, gi);
    }
  });
}

void conv2d_backward_weight(const Conv2dShape& s, DType dtype, const void* grad_output,
                            const void* input, void* grad_weight, ConvVariant variant) {
  EMBER_DISPATCH_FLOATING(dtype, "conv2d_backward_weight", [&] {
    const auto* go = static_cast<const scalar_t*>(grad_output);
    const auto* in = static_cast<const scalar_t*>(input);
    auto* gw = static_cast<scalar_t*>(grad_weight);
    switch (path_for(s, variant)) {
      case Path::Direct: return backward_weight_direct(s, go, in, gw);
      case Path::Depthwise: return backward_weight_depthwise(s, go, in, gw);
      case Path::Im2col: return backward_weight_im2col(s, go, in, gw);
    }
  });
}

}  // namespace ember::cpu
