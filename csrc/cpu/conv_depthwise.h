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

template <class T>
using DepthwiseForwardFn = void (*)(const ConvShape& s, const T* input, const T* weight,
                                    const T* bias, T* output);
// grad_input (n, c_in, h, w) = the adjoint in the input applied to grad_output.
template <class T>
using DepthwiseBackwardInputFn = void (*)(const ConvShape& s, const T* grad_output,
                                          const T* weight, T* grad_input);
// grad_weight (c_out, 1, kh, kw) = the gradient to the weight (written, not added).
template <class T>
using DepthwiseBackwardWeightFn = void (*)(const ConvShape& s, const T* grad_output,
                                           const T* input, T* grad_weight);

EMBER_DECLARE_DISPATCH(DepthwiseForwardFn<float>, depthwise_forward_f32_stub);
EMBER_DECLARE_DISPATCH(DepthwiseForwardFn<double>, depthwise_forward_f64_stub);
EMBER_DECLARE_DISPATCH(DepthwiseBackwardInputFn<float>, depthwise_backward_input_f32_stub);
EMBER_DECLARE_DISPATCH(DepthwiseBackwardInputFn<double>, depthwise_backward_input_f64_stub);
EMBER_DECLARE_DISPATCH(DepthwiseBackwardWeightFn<float>, depthwise_backward_weight_f32_stub);
EMBER_DECLARE_DISPATCH(DepthwiseBackwardWeightFn<double>, depthwise_backward_weight_f64_stub);

// The three kernels of the depthwise path of cpu/conv.cc (s.is_2d(), s.c_in_group() == 1).
void forward_depthwise(const ConvShape& s, const float* input, const float* weight,
                       const float* bias, float* output);
void forward_depthwise(const ConvShape& s, const double* input, const double* weight,
                       const double* bias, double* output);
void backward_input_depthwise(const ConvShape& s, const float* grad_output,
                              const float* weight, float* grad_input);
void backward_input_depthwise(const ConvShape& s, const double* grad_output,
                              const double* weight, double* grad_input);
void backward_weight_depthwise(const ConvShape& s, const float* grad_output,
                               const float* input, float* grad_weight);
void backward_weight_depthwise(const ConvShape& s, const double* grad_output,
                               const double* input, double* grad_weight);

}  // namespace ember::cpu
