// Winograd F(2x2, 3x3) convolution on the CPU (cpu/conv_winograd.cc): 2-D layers with a 3x3
// kernel, stride 1 and dilation 1 (any padding, any groups), float32 and float64.
#pragma once

#include "core/conv_scalar.h"

namespace ember::cpu {

// Whether the Winograd kernels take the layer: 2-D (depth 1), a 3x3 kernel, stride 1,
// dilation 1 along height and width.
inline bool winograd_fits(const ConvShape& s) {
  return s.is_2d() && s.k[1] == 3 && s.k[2] == 3 && s.stride[1] == 1 && s.stride[2] == 1 &&
         s.dil[1] == 1 && s.dil[2] == 1;
}

// Buffers as in core/conv_scalar.h; s must satisfy winograd_fits.
template <class T>
void conv_forward_winograd(const ConvShape& s, const T* input, const T* weight, const T* bias,
                           T* output);
// grad_input is the stride-1 3x3 correlation of grad_output with the weights rotated by 180
// degrees, input and output channels swapped, padding 2 - pad: the same Winograd forward.
template <class T>
void conv_backward_input_winograd(const ConvShape& s, const T* grad_output, const T* weight,
                                  T* grad_input);

}  // namespace ember::cpu
