// Depthwise 2-D convolution on the CPU: one input channel per group (groups == c_in,
// c_out = c_in * multiplier), where im2col's GEMMs would be a few rows of kh * kw taps.
// Buffers as in core/conv_scalar.h (2-D: depth 1):
//   input (n, c_in, h, w), weight (c_out, 1, kh, kw), bias (c_out) or null,
//   output (n, c_out, out_h, out_w); output channel co reads input channel co / multiplier.
// Compiled for each instruction set (conv_depthwise.simd.cc, cpu/dispatch.h).
#pragma once

#include "core/conv_scalar.h"
#include "cpu/dispatch.h"

namespace ember::cpu {

// The three kernels of one dtype, for the instruction set in use.
template <class T>
struct DepthwiseKernels {
  void (*forward)(const ConvShape& s, const T* input, const T* weight, const T* bias, T* output);
  // grad_input (n, c_in, h, w) = the adjoint in the input applied to grad_output.
  void (*backward_input)(const ConvShape& s, const T* grad_output, const T* weight,
                         T* grad_input);
  // grad_weight (c_out, 1, kh, kw) = the gradient to the weight (written, not added).
  void (*backward_weight)(const ConvShape& s, const T* grad_output, const T* input,
                          T* grad_weight);
};
template <class T>
using DepthwiseKernelsFn = DepthwiseKernels<T> (*)();

EMBER_DECLARE_DISPATCH(DepthwiseKernelsFn<float>, depthwise_f32_stub);
EMBER_DECLARE_DISPATCH(DepthwiseKernelsFn<double>, depthwise_f64_stub);

template <class T>
DepthwiseKernels<T> depthwise_kernels();  // float and double

// The depthwise path of cpu/conv.cc (s.is_2d(), s.c_in_group() == 1).
template <class T>
void forward_depthwise(const ConvShape& s, const T* input, const T* weight, const T* bias,
                       T* output) {
  depthwise_kernels<T>().forward(s, input, weight, bias, output);
}
template <class T>
void backward_input_depthwise(const ConvShape& s, const T* grad_output, const T* weight,
                              T* grad_input) {
  depthwise_kernels<T>().backward_input(s, grad_output, weight, grad_input);
}
template <class T>
void backward_weight_depthwise(const ConvShape& s, const T* grad_output, const T* input,
                               T* grad_weight) {
  depthwise_kernels<T>().backward_weight(s, grad_output, input, grad_weight);
}

}  // namespace ember::cpu
