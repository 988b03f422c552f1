// Convolution on the CPU (conv1d/2d/3d: one geometry, core/conv_scalar.h, 2-D the depth-1
// case), three rungs:
//   - direct: one output (or gradient) element at a time, the formulas of core/conv_scalar.h
//     (the reference, shared with the CUDA kernels);
//   - depthwise (auto, 2-D layers with one input channel per group): per-plane correlations
//     summed in vector registers (cpu/conv_depthwise.h);
//   - im2col + GEMM: for a tile of samples and a group, the input patches are unrolled into a
//     column matrix col (c_in_group * kd * kh * kw, tile * out_d * out_h * out_w), the samples
//     side by side, and each pass is one packed GEMM over the whole tile
//       output_g = weight_g @ col                  (bias in the GEMM epilogue)
//       col_grad = weight_g^T @ grad_output_g      then col2im adds it into grad_input
//       grad_weight_g += grad_output_g @ col^T
//     (grad_output_g gathered as (c_out_group, tile * out volume)); im2col and col2im go
//     through a zero-padded copy of each sample (cpu/conv_im2col.h). A 1x1, stride-1,
//     unpadded convolution reads the input as col directly (no im2col, one sample at a time).
//   - blocked: the register-blocked direct kernels of cpu/conv_blocked.h (variant "blocked",
//     and auto where they measured faster than im2col).
// Samples are split over the threads; each thread owns one column buffer of at most
// kColBudget elements (or one sample's), so memory stays bounded whatever the batch, and, for
// grad_weight, one partial sum added in at the end. With one sample, the GEMM uses the threads.
#include "cpu/conv.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <vector>

#include "cpu/conv_blocked.h"
#include "cpu/conv_depthwise.h"
#include "cpu/conv_im2col.h"
#include "cpu/conv_winograd.h"
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

// Whether every axis has a 1-wide kernel, stride 1 and no padding: the input is its own column
// matrix.
bool is_pointwise(const ConvShape& s) {
  for (int a = 0; a < ConvShape::kDims; ++a)
    if (s.k[a] != 1 || s.stride[a] != 1 || s.pad[a] != 0 || s.out[a] != s.in[a]) return false;
  return true;
}

template <class T>
void forward_direct(const ConvShape& s, const T* input, const T* weight, const T* bias,
                    T* output) {
  const int64_t vol = s.out_volume();
  parallel_for(0, s.n * s.c_out * vol, direct_grain(s.c_in_group() * s.taps()),
               [&](int64_t begin, int64_t end) {
    for (int64_t idx = begin; idx < end; ++idx) {
      const int64_t ow = idx % s.out[2], oh = idx / s.out[2] % s.out[1];
      const int64_t od = idx / (s.out[2] * s.out[1]) % s.out[0];
      const int64_t co = idx / vol % s.c_out, b = idx / vol / s.c_out;
      const T v = conv_hd::output_element(s, input, weight, b, co, od, oh, ow);
      output[idx] = bias ? hd::add_rn(v, bias[co]) : v;
    }
  });
}

template <class T>
void backward_input_direct(const ConvShape& s, const T* grad_output, const T* weight,
                           T* grad_input) {
  const int64_t vol = s.in_volume();
  parallel_for(0, s.n * s.c_in * vol, direct_grain(s.c_out_group() * s.taps()),
               [&](int64_t begin, int64_t end) {
    for (int64_t idx = begin; idx < end; ++idx) {
      const int64_t iw = idx % s.in[2], ih = idx / s.in[2] % s.in[1];
      const int64_t id = idx / (s.in[2] * s.in[1]) % s.in[0];
      const int64_t ci = idx / vol % s.c_in, b = idx / vol / s.c_in;
      grad_input[idx] = conv_hd::grad_input_element(s, grad_output, weight, b, ci, id, ih, iw);
    }
  });
}

template <class T>
void backward_weight_direct(const ConvShape& s, const T* grad_output, const T* input,
                            T* grad_weight) {
  const int64_t cig = s.c_in_group(), taps = s.taps();
  parallel_for(0, s.c_out * cig * taps, direct_grain(s.n * s.out_volume()),
               [&](int64_t begin, int64_t end) {
    for (int64_t idx = begin; idx < end; ++idx) {
      const int64_t tw = idx % s.k[2], th = idx / s.k[2] % s.k[1];
      const int64_t td = idx / (s.k[2] * s.k[1]) % s.k[0];
      const int64_t c = idx / taps % cig, co = idx / taps / cig;
      grad_weight[idx] = conv_hd::grad_weight_element(s, grad_output, input, co, c, td, th, tw);
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

// The extent along axis a of the zero-padded input that the taps read (cpu/conv_im2col.h).
int64_t padded_extent(const ConvShape& s, int a) {
  return s.out[a] > 0 ? (s.out[a] - 1) * s.stride[a] + (s.k[a] - 1) * s.dil[a] + 1 : 0;
}

// The sizes every im2col kernel uses (the padded volumes as in cpu/conv_im2col.h).
struct Im2colDims {
  explicit Im2colDims(const ConvShape& s)
      : cig(s.c_in_group()), cog(s.c_out_group()), taps(cig * s.taps()),
        out_vol(s.out_volume()), in_vol(s.in_volume()), padded_d(padded_extent(s, 0)),
        padded_h(padded_extent(s, 1)), padded_w(padded_extent(s, 2)),
        pointwise(is_pointwise(s)),
        unpadded(s.pad[0] == 0 && s.pad[1] == 0 && s.pad[2] == 0 && padded_d == s.in[0] &&
                 padded_h == s.in[1] && padded_w == s.in[2]),
        tile(pointwise ? 1 : std::max<int64_t>(1, kColBudget / std::max<int64_t>(col_size(), 1))) {}
  int64_t cig, cog, taps, out_vol, in_vol, padded_d, padded_h, padded_w;
  bool pointwise;  // the input is its own column matrix: samples go one at a time
  bool unpadded;   // the input volumes are their own padded copy
  int64_t tile;    // samples per column buffer
  int64_t padded_size() const { return cig * padded_d * padded_h * padded_w; }
  int64_t col_size() const { return taps * out_vol; }  // one sample's column matrix
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

// padded (cig, padded_d, padded_h, padded_w) = in (cig, d, h, w) shifted by the padding, zero
// around; by rows of w values.
template <class T>
void pad_planes(const ConvShape& s, const Im2colDims& d, const T* in, T* padded) {
  const int64_t copied = std::max<int64_t>(0, std::min(s.in[2], d.padded_w - s.pad[2]));
  const int64_t left = std::min(s.pad[2], d.padded_w);
  for (int64_t c = 0; c < d.cig; ++c)
    for (int64_t pz = 0; pz < d.padded_d; ++pz)
      for (int64_t py = 0; py < d.padded_h; ++py) {
        T* dst = padded + ((c * d.padded_d + pz) * d.padded_h + py) * d.padded_w;
        const int64_t z = pz - s.pad[0], y = py - s.pad[1];
        if (z < 0 || z >= s.in[0] || y < 0 || y >= s.in[1]) {
          std::fill(dst, dst + d.padded_w, T(0));
          continue;
        }
        const T* src = in + ((c * s.in[0] + z) * s.in[1] + y) * s.in[2];
        std::fill(dst, dst + left, T(0));
        std::copy(src, src + copied, dst + left);
        std::fill(dst + left + copied, dst + d.padded_w, T(0));
      }
}

// in (cig, d, h, w) = the input-sized window of padded (zero where no tap reads).
template <class T>
void crop_planes(const ConvShape& s, const Im2colDims& d, const T* padded, T* in) {
  const int64_t copied = std::max<int64_t>(0, std::min(s.in[2], d.padded_w - s.pad[2]));
  for (int64_t c = 0; c < d.cig; ++c)
    for (int64_t z = 0; z < s.in[0]; ++z)
      for (int64_t y = 0; y < s.in[1]; ++y) {
        T* dst = in + ((c * s.in[0] + z) * s.in[1] + y) * s.in[2];
        const int64_t pz = z + s.pad[0], py = y + s.pad[1];
        if (pz >= d.padded_d || py >= d.padded_h) {
          std::fill(dst, dst + s.in[2], T(0));
          continue;
        }
        const T* src = padded + ((c * d.padded_d + pz) * d.padded_h + py) * d.padded_w + s.pad[2];
        std::copy(src, src + copied, dst);
        std::fill(dst + copied, dst + s.in[2], T(0));
      }
}

// rows (rows, cols) of `src` with row stride ld_src into `dst` with row stride ld_dst.
template <class T>
void copy_rows(int64_t rows, int64_t cols, const T* src, int64_t ld_src, T* dst,
               int64_t ld_dst) {
  for (int64_t r = 0; r < rows; ++r)
    std::copy(src + r * ld_src, src + r * ld_src + cols, dst + r * ld_dst);
}

// One thread's buffers for a range of samples: col (taps, tile * out_vol), the tile's outputs
// or output gradients (cog, tile * out_vol), one padded sample.
template <class T>
struct TileBuffers {
  TileBuffers(const Im2colDims& d, int64_t tile) {
    const int64_t ld = tile * d.out_vol;
    const int64_t col_size = d.pointwise ? 0 : d.taps * ld;
    const int64_t gathered_size = tile > 1 ? d.cog * ld : 0;
    const int64_t padded_size = d.pointwise || d.unpadded ? 0 : d.padded_size();
    col = thread_scratch<T>(col_size + gathered_size + padded_size);
    gathered = col + col_size;
    padded = gathered + gathered_size;
  }
  T *col, *gathered, *padded;
};

// buf.col (taps, nb * out_vol) = the im2col of the group planes in_g of nb samples.
template <class T>
void tile_im2col(const ConvShape& s, const Im2colDims& d, ConvIm2colFn<T> im2col,
                 const T* in_g, int64_t nb, const TileBuffers<T>& buf) {
  for (int64_t l = 0; l < nb; ++l) {
    const T* in = in_g + l * s.c_in * d.in_vol;
    if (!d.unpadded) pad_planes(s, d, in, buf.padded);
    im2col(s, d.unpadded ? in : buf.padded, buf.col + l * d.out_vol, nb * d.out_vol);
  }
}

// gathered (cog, nb * out_vol) = the group planes out_g (cog, out_vol) of nb samples.
template <class T>
void gather_tile(const ConvShape& s, const Im2colDims& d, const T* out_g, int64_t nb,
                 T* gathered) {
  for (int64_t l = 0; l < nb; ++l)
    copy_rows(d.cog, d.out_vol, out_g + l * s.c_out * d.out_vol, d.out_vol,
              gathered + l * d.out_vol, nb * d.out_vol);
}

// Per tile of nb samples and group g (group planes of sample b at (b * c + g * cg) * plane):
//   col  (taps, nb * out_vol)   im2col of the tile, sample l in columns [l, l + 1) * out_vol
//   out  (cog, nb * out_vol)    = weight_g @ col + bias, then copied to each sample's planes
// One sample writes straight into output (and a pointwise layer reads the input as col).
template <class T>
void forward_im2col(const ConvShape& s, const T* input, const T* weight, const T* bias,
                    T* output) {
  const Im2colDims d(s);
  const auto im2col = im2col_kernel(output);
  parallel_for(0, s.n, 1, [&](int64_t b0, int64_t b1) {
    const int64_t tile = std::min(d.tile, b1 - b0);
    const TileBuffers<T> buf(d, tile);
    for (int64_t b = b0; b < b1; b += tile) {
      const int64_t nb = std::min(tile, b1 - b), ldc = nb * d.out_vol;
      for (int64_t g = 0; g < s.groups; ++g) {
        const T* in_g = input + (b * s.c_in + g * d.cig) * d.in_vol;
        T* out_g = output + (b * s.c_out + g * d.cog) * d.out_vol;
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
            copy_rows(d.cog, d.out_vol, buf.gathered + l * d.out_vol, ldc,
                      out_g + l * s.c_out * d.out_vol, d.out_vol);
      }
    }
  });
}

// Per tile and group: go (cog, nb * out_vol) gathers the tile's grad_output planes,
// col (taps, nb * out_vol) = weight_g^T @ go (weight_g^T transposed once, up front), and
// col2im adds each sample's columns into a zeroed padded sample, whose input-sized window is
// its grad_input. One sample reads grad_output in place (and a pointwise layer writes
// grad_input as col).
template <class T>
void backward_input_im2col(const ConvShape& s, const T* grad_output, const T* weight,
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
      const int64_t nb = std::min(tile, b1 - b), ldc = nb * d.out_vol;
      for (int64_t g = 0; g < s.groups; ++g) {
        T* gin_g = grad_input + (b * s.c_in + g * d.cig) * d.in_vol;
        const T* go_g = grad_output + (b * s.c_out + g * d.cog) * d.out_vol;
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
          T* gin = gin_g + l * s.c_in * d.in_vol;
          T* padded = d.unpadded ? gin : buf.padded;
          std::fill(padded, padded + d.padded_size(), T(0));
          col2im(s, buf.col + l * d.out_vol, ldc, padded);
          if (!d.unpadded) crop_planes(s, d, buf.padded, gin);
        }
      }
    }
  });
}

// Per tile and group: col (taps, nb * out_vol) as in the forward, go (cog, nb * out_vol)
// as in backward_input, and one GEMM over the whole tile adds go @ col^T into the thread's
// partial (c_out, taps); the partials are summed into grad_weight at the end.
template <class T>
void backward_weight_im2col(const ConvShape& s, const T* grad_output, const T* input,
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
      const int64_t nb = std::min(tile, b1 - b), ldc = nb * d.out_vol;
      for (int64_t g = 0; g < s.groups; ++g) {
        const T* in_g = input + (b * s.c_in + g * d.cig) * d.in_vol;
        const T* go_g = grad_output + (b * s.c_out + g * d.cog) * d.out_vol;
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
// Winograd F(2x2, 3x3) runs forward and grad_input where asked (the op layer checked that the
// layer fits) and where auto measured it faster (cpu/conv_winograd.h); its grad_weight is
// im2col's, or under auto the blocked kernel's where that one pays.
// The blocked direct kernels run where asked or where auto measured them faster
// (cpu/conv_blocked.h); strides they do not cover fall back to im2col.
enum class Path { Direct, Depthwise, Im2col, Winograd, Blocked };

Path path_for(const ConvShape& s, ConvVariant variant) {
  if (variant == ConvVariant::Naive || s.c_in_group() == 0) return Path::Direct;
  if (variant == ConvVariant::Winograd && winograd_fits(s)) return Path::Winograd;
  if (variant == ConvVariant::Auto && winograd_fits(s) && winograd_pays(s)) return Path::Winograd;
  if (variant == ConvVariant::Auto && s.is_2d() && s.groups > 1 && s.c_in_group() == 1)
    return Path::Depthwise;
  if (variant == ConvVariant::Blocked) return Path::Blocked;
  if (variant == ConvVariant::Auto && conv_blocked_auto(s)) return Path::Blocked;
  return Path::Im2col;
}

}  // namespace

void conv_forward(const ConvShape& s, DType dtype, const void* input, const void* weight,
                    const void* bias, void* output, ConvVariant variant) {
  EMBER_DISPATCH_FLOATING(dtype, "conv", [&] {
    const auto* in = static_cast<const scalar_t*>(input);
    const auto* w = static_cast<const scalar_t*>(weight);
    const auto* bi = static_cast<const scalar_t*>(bias);
    auto* out = static_cast<scalar_t*>(output);
    switch (path_for(s, variant)) {
      case Path::Direct: return forward_direct(s, in, w, bi, out);
      case Path::Depthwise: return forward_depthwise(s, in, w, bi, out);
      case Path::Im2col: return forward_im2col(s, in, w, bi, out);
      case Path::Winograd: return conv_forward_winograd(s, in, w, bi, out);
      case Path::Blocked:
        if (!conv_forward_blocked(s, in, w, bi, out)) forward_im2col(s, in, w, bi, out);
        return;
    }
  });
}

void conv_backward_input(const ConvShape& s, DType dtype, const void* grad_output,
                           const void* weight, void* grad_input, ConvVariant variant) {
  EMBER_DISPATCH_FLOATING(dtype, "conv_backward_input", [&] {
    const auto* go = static_cast<const scalar_t*>(grad_output);
    const auto* w = static_cast<const scalar_t*>(weight);
    auto* gi = static_cast<scalar_t*>(grad_input);
    switch (path_for(s, variant)) {
      case Path::Direct: return backward_input_direct(s, go, w, gi);
      case Path::Depthwise: return backward_input_depthwise(s, go, w, gi);
      case Path::Im2col: return backward_input_im2col(s, go, w, gi);
      case Path::Winograd: return conv_backward_input_winograd(s, go, w, gi);
      case Path::Blocked:  // strides > 1 (and CPUs without AVX2, and auto's misses) run im2col
        if (!conv_backward_input_blocked(s, go, w, gi, variant == ConvVariant::Auto))
          backward_input_im2col(s, go, w, gi);
        return;
    }
  });
}

void conv_backward_weight(const ConvShape& s, DType dtype, const void* grad_output,
                            const void* input, void* grad_weight, ConvVariant variant) {
  EMBER_DISPATCH_FLOATING(dtype, "conv_backward_weight", [&] {
    const auto* go = static_cast<const scalar_t*>(grad_output);
    const auto* in = static_cast<const scalar_t*>(input);
    auto* gw = static_cast<scalar_t*>(grad_weight);
    switch (path_for(s, variant)) {
      case Path::Direct: return backward_weight_direct(s, go, in, gw);
      case Path::Depthwise: return backward_weight_depthwise(s, go, in, gw);
      case Path::Im2col: return backward_weight_im2col(s, go, in, gw);
      case Path::Winograd:  // Winograd's own grad_weight measured no faster than im2col's
        if (variant == ConvVariant::Auto && conv_blocked_auto(s) &&
            conv_backward_weight_blocked(s, go, in, gw))
          return;
        return backward_weight_im2col(s, go, in, gw);
      case Path::Blocked:  // strides > 1 (and CPUs without AVX2) run im2col
        if (!conv_backward_weight_blocked(s, go, in, gw)) backward_weight_im2col(s, go, in, gw);
        return;
    }
  });
}

}  // namespace ember::cpu
