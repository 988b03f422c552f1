// 2-D convolution (cross-correlation, as in PyTorch) and its gradients.
//   input (N, C_in, H, W), weight (C_out, C_in / groups, kh, kw), bias (C_out,) or none,
//   output (N, C_out, out_h, out_w); float32 or float64, one dtype and device for all.
// stride and dilation: 2 values (rows, columns). padding: 2 values (the same on both sides) or
// 4 (top, bottom, left, right), which is how 'same' with an even kernel pads.
// variant: "naive" (direct loops, the reference), "im2col" (im2col + packed GEMM; on CUDA the
// implicit GEMM), "implicit_gemm" (CUDA only: no column buffer), "winograd" (CPU only, 3x3
// kernel, stride 1, dilation 1: Winograd F(2x2, 3x3) for the output and grad_input, im2col for
// grad_weight; ValueError on other layers), "blocked" (CPU only: the register-blocked direct
// kernels, cpu/conv_blocked.h) or "auto".
// output_size: empty, or (out_h, out_w) no larger than the computed size, to drop the outputs
// past it (transposed convolutions with output_padding >= stride map onto these ops that way).
#pragma once

#include <optional>
#include <string>

#include "ember/tensor.h"

namespace ember::ops {

Tensor conv2d(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias,
              const Shape& stride, const Shape& padding, const Shape& dilation, int64_t groups,
              const std::string& variant, const Shape& output_size = {});

// grad_input (input_size) of conv2d from grad_output (N, C_out, out_h, out_w).
Tensor conv2d_backward_input(const Tensor& grad_output, const Tensor& weight,
                             const Shape& input_size, const Shape& stride, const Shape& padding,
                             const Shape& dilation, int64_t groups, const std::string& variant,
                             const Shape& output_size = {});

// grad_weight (weight_size) of conv2d from grad_output and the forward's input.
Tensor conv2d_backward_weight(const Tensor& grad_output, const Tensor& input,
                              const Shape& weight_size, const Shape& stride,
                              const Shape& padding, const Shape& dilation, int64_t groups,
                              const std::string& variant, const Shape& output_size = {});

// 3-D convolution: input (N, C_in, D, H, W), weight (C_out, C_in / groups, kD, kH, kW),
// output (N, C_out, out_d, out_h, out_w). stride and dilation: 3 values; padding: 3 (both
// sides) or 6 (front, back, top, bottom, left, right). variant and output_size (3 values) as
// for conv2d: the same kernels, with a depth axis.
Tensor conv3d(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias,
              const Shape& stride, const Shape& padding, const Shape& dilation, int64_t groups,
              const std::string& variant, const Shape& output_size = {});
Tensor conv3d_backward_input(const Tensor& grad_output, const Tensor& weight,
                             const Shape& input_size, const Shape& stride, const Shape& padding,
                             const Shape& dilation, int64_t groups, const std::string& variant,
                             const Shape& output_size = {});
Tensor conv3d_backward_weight(const Tensor& grad_output, const Tensor& input,
                              const Shape& weight_size, const Shape& stride,
                              const Shape& padding, const Shape& dilation, int64_t groups,
                              const std::string& variant, const Shape& output_size = {});

}  // namespace ember::ops
