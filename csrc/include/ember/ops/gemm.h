// GEMM on tensors, the study entry point of the CPU and CUDA GEMM ladders (ember._C.gemm):
//   out = act(alpha * op(a) @ op(b) + beta * out + bias)
// matmul, linear and friends build on the same kernel (cpu/gemm/gemm.h).
#pragma once

#include <optional>
#include <string>

#include "ember/tensor.h"

namespace ember::ops {

// a, b: 2-D float32/float64 of one dtype; op(x) = x.T when trans_x. Any strides: a matrix with
// a unit stride in either dim is read in place, anything else is copied first.
// out: (M, N) of the same dtype, or nullopt for a new tensor (then beta must be 0).
// bias: 1-D, N values when bias_dim is 1 or -1 (added to every row, like Linear's), M values
// when bias_dim is 0 or -2. activation: "none", "relu", "gelu" (erf form), "sigmoid", "tanh".
// All tensors on one device. variant names a rung of that device's ladder: on the CPU "naive",
// "blocked", "packed" or "auto"; on CUDA "naive", "tiled", "register", "vectorized", "warp" or
// "auto".
Tensor gemm(const Tensor& a, const Tensor& b, const std::optional<Tensor>& out, bool trans_a,
            bool trans_b, double alpha, double beta, const std::optional<Tensor>& bias,
            int64_t bias_dim, const std::string& activation, const std::string& variant);

}  // namespace ember::ops
