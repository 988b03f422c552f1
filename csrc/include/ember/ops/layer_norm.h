// LayerNorm, fused: one kernel normalizes each row (statistics in double) and applies the
// affine map; one computes the input gradient per row and one the parameter gradients.
#pragma once

#include <optional>
#include <tuple>

#include "ember/tensor.h"

namespace ember::ops {

// x floating, viewed as (rows, n) with n its trailing normalized elements (x.numel() a multiple
// of n); weight and bias: n elements of x's dtype and device, or nullopt. Returns (y like x,
// mean (rows,) float64, rstd (rows,) float64) with rstd = 1 / sqrt(biased var + eps).
std::tuple<Tensor, Tensor, Tensor> layer_norm(const Tensor& x, int64_t n,
                                              const std::optional<Tensor>& weight,
                                              const std::optional<Tensor>& bias, double eps);
// The gradients (dx, dweight, dbias) from grad (shape of x), each only when asked for.
std::tuple<std::optional<Tensor>, std::optional<Tensor>, std::optional<Tensor>>
layer_norm_backward(const Tensor& grad, const Tensor& x, const Tensor& mean, const Tensor& rstd,
                    const std::optional<Tensor>& weight, int64_t n, bool need_input,
                    bool need_weight, bool need_bias);

}  // namespace ember::ops
