// Activation functions: fused forward and backward kernels (the backward computes grad_input
// from grad_output and the saved input, or the saved output for sigmoid and tanh, in one pass).
// Inputs are float32 or float64, of any shape and strides; results are contiguous.
#pragma once

#include <cstdint>
#include <utility>

#include "ember/tensor.h"

namespace ember::ops {

// relu is Threshold(0, 0); relu6 is Hardtanh(0, 6); selu and celu are Elu with their constants.
enum class ActivationOp : uint8_t {
  Threshold, Hardtanh, LeakyRelu, Elu, Gelu, GeluTanh, Silu, Mish, Softplus, Softsign,
  Hardsigmoid, Hardswish, Sigmoid, Tanh, LogSigmoid,
};

// The op's parameters, by op (unused ones are ignored):
//   Threshold: a = threshold, b = value       Hardtanh: a = min_val, b = max_val
//   LeakyRelu: a = negative_slope             Elu: a = alpha, b = scale, c = input_scale
//   Softplus:  a = beta, b = threshold
struct ActivationParams {
  double a = 0, b = 0, c = 0;
};

const char* op_name(ActivationOp op);  // PyTorch's name: "threshold", "gelu", ...
// Whether the backward reads the forward's output (sigmoid, tanh) rather than its input.
bool backward_uses_result(ActivationOp op);

// y = f(x). With in_place, writes into x (through a temporary when x is not contiguous) and
// returns x.
Tensor activation_forward(ActivationOp op, const Tensor& x, const ActivationParams& params,
                          bool in_place = false);
// grad_input = grad_output * f'(x); `saved` is x, or y where backward_uses_result(op).
Tensor activation_backward(ActivationOp op, const Tensor& grad_output, const Tensor& saved,
                           const ActivationParams& params);

// PReLU with weight (1,) or (C,) for x's dim 1 (an input of fewer dims has one channel).
Tensor prelu_forward(const Tensor& x, const Tensor& weight);
// (grad_input, grad_weight) in one pass.
std::pair<Tensor, Tensor> prelu_backward(const Tensor& grad_output, const Tensor& x,
                                         const Tensor& weight);

}  // namespace ember::ops
