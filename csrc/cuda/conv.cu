// Convolution on CUDA (conv1d/2d/3d: one geometry, core/conv_scalar.h): the choice of variant,
// and the direct kernels (the reference), one thread per element of the result in a
// grid-stride loop, each element by the formulas of core/conv_scalar.h (the CPU reference's).
// The implicit GEMMs are in conv_implicit_gemm.cu.
//   input (n, c_in, d, h, w), weight (c_out, c_in / groups, kd, kh, kw), bias (c_out) or null,
//   output / grad_output (n, c_out, out_d, out_h, out_w); all contiguous.
// grad_input gathers over the outputs that read each input element, so no atomics are needed.
#include "cuda/conv.h"
#include "cuda/conv_implicit_gemm.h"
#include "cuda/launch.h"

namespace ember::cuda {
namespace {

constexpr int kThreads = 256;
constexpr int64_t kMaxBlocks = 65535;

template <class T>
__global__ void forward_direct(ConvShape s, const T* input, const T* weight, const T* bias,
                               T* output, int64_t total) {
  const int64_t vol = s.out_volume();
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t idx = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; idx < total;
       idx += step) {
    const int64_t ow = idx % s.out[2], oh = idx / s.out[2] % s.out[1];
    const int64_t od = idx / (s.out[2] * s.out[1]) % s.out[0];
    const int64_t co = idx / vol % s.c_out, b = idx / vol / s.c_out;
    const T v = conv_hd::output_element(s, input, weight, b, co, od, oh, ow);
    output[idx] = bias ? hd::add_rn(v, bias[co]) : v;
  }
}

template <class T>
__global__ void backward_input_direct(ConvShape s, const T* grad_output, const T* weight,
                                      T* grad_input, int64_t total) {
  const int64_t vol = s.in_volume();
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t idx = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; idx < total;
       idx += step) {
    const int64_t iw = idx % s.in[2], ih = idx / s.in[2] % s.in[1];
    const int64_t id = idx / (s.in[2] * s.in[1]) % s.in[0];
    const int64_t ci = idx / vol % s.c_in, b = idx / vol / s.c_in;
    grad_input[idx] = conv_hd::grad_input_element(s, grad_output, weight, b, ci, id, ih, iw);
  }
}

template <class T>
__global__ void backward_weight_direct(ConvShape s, const T* grad_output, const T* input,
                                       T* grad_weight, int64_t total) {
  const int64_t cig = s.c_in_group(), taps = s.taps();
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t idx = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; idx < total;
       idx += step) {
    const int64_t tw = idx % s.k[2], th = idx / s.k[2] % s.k[1];
    const int64_t td = idx / (s.k[2] * s.k[1]) % s.k[0];
    const int64_t c = idx / taps % cig, co = idx / taps / cig;
    grad_weight[idx] = conv_hd::grad_weight_element(s, grad_output, input, co, c, td, th, tw);
  }
}

// Whether a kernel runs as an implicit GEMM whose M (the rows of C: output channels per group
// for the forward and grad_weight, input channels per group for grad_input) is gemm_m.
// `naive` is the direct kernels; every other CPU variant ("im2col": the same GEMM as a column
// buffer) means the implicit GEMM on CUDA. `auto`: the direct kernels when M < 8 (depthwise and
// near it), where a 32-row tile would sit mostly idle while the direct kernel still has one
// thread per output; the GEMM otherwise. The direct grad_weight has only c_out * cig * kh * kw
// threads, each summing n * out_h * out_w products, so `auto` takes the split-K GEMM for
// grad_weight at every M. Shapes whose indices pass 32 bits run the direct kernels whatever
// the variant.
bool use_implicit_gemm(const ConvShape& s, ConvVariant variant, int64_t gemm_m,
                       bool weight_grad) {
  if (!implicit_gemm_fits(s) || variant == ConvVariant::Naive) return false;
  if (variant == ConvVariant::Auto) return weight_grad || gemm_m >= 8;
  return true;
}

}  // namespace

void conv_forward(const ConvShape& s, DType dtype, const void* input, const void* weight,
                    const void* bias, void* output, ConvVariant variant) {
  const int64_t total = s.n * s.c_out * s.out_volume();
  if (total == 0) return;
  if (use_implicit_gemm(s, variant, s.c_out_group(), false))
    return conv_forward_implicit_gemm(s, dtype, input, weight, bias, output);
  EMBER_DISPATCH_FLOATING(dtype, "conv", [&] {
    EMBER_LAUNCH(forward_direct<scalar_t>, blocks_for(total, kThreads, kMaxBlocks), kThreads, 0,
                 nullptr, s, static_cast<const scalar_t*>(input),
                 static_cast<const scalar_t*>(weight), static_cast<const scalar_t*>(bias),
                 static_cast<scalar_t*>(output), total);
  });
}

void conv_backward_input(const ConvShape& s, DType dtype, const void* grad_output,
                           const void* weight, void* grad_input, ConvVariant variant) {
  const int64_t total = s.n * s.c_in * s.in_volume();
  if (total == 0) return;
  if (use_implicit_gemm(s, variant, s.c_in_group(), false))
    return conv_backward_input_implicit_gemm(s, dtype, grad_output, weight, grad_input);
  EMBER_DISPATCH_FLOATING(dtype, "conv_backward_input", [&] {
    EMBER_LAUNCH(backward_input_direct<scalar_t>, blocks_for(total, kThreads, kMaxBlocks), kThreads,
                 0, nullptr, s, static_cast<const scalar_t*>(grad_output),
                 static_cast<const scalar_t*>(weight), static_cast<scalar_t*>(grad_input), total);
  });
}

void conv_backward_weight(const ConvShape& s, DType dtype, const void* grad_output,
                            const void* input, void* grad_weight, ConvVariant variant) {
  const int64_t total = s.c_out * s.c_in_group() * s.taps();
  if (total == 0) return;
  if (use_implicit_gemm(s, variant, s.c_out_group(), true))
    return conv_backward_weight_implicit_gemm(s, dtype, grad_output, input, grad_weight);
  EMBER_DISPATCH_FLOATING(dtype, "conv_backward_weight", [&] {
    EMBER_LAUNCH(backward_weight_direct<scalar_t>, blocks_for(total, kThreads, kMaxBlocks),
                 kThreads, 0, nullptr, s, static_cast<const scalar_t*>(grad_output),
                 static_cast<const scalar_t*>(input), static_cast<scalar_t*>(grad_weight), total);
  });
}

}  // namespace ember::cuda
