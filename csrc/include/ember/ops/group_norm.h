// GroupNorm, fused: one kernel computes each (sample, group) statistics (in double) and
// normalizes; the backward gives the input and parameter gradients.
#pragma once

#include <optional>
#include <tuple>

#include "ember/tensor.h"

namespace ember::ops {

// x (N, C, *) floating, C divisible by num_groups; weight, bias: C values of x's dtype and
// device, or nullopt. Returns (y like x, mean, rstd) with mean and rstd (N, num_groups)
// float64: each group's mean and 1 / sqrt(biased variance + eps).
std::tuple<Tensor, Tensor, Tensor> group_norm(const Tensor& x,
                                              const std::optional<Tensor>& weight,
                                              const std::optional<Tensor>& bias,
                                              int64_t num_groups, double eps);
// The gradients (dx, dweight, dbias) from grad (shape of x), each only when asked for; mean and
// rstd as group_norm returned them.
std::tuple<std::optional<Tensor>, std::optional<Tensor>, std::optional<Tensor>>
group_norm_backward(const Tensor& grad, const Tensor& x, const Tensor& mean, const Tensor& rstd,
                    const std::optional<Tensor>& weight, int64_t num_groups, bool need_input,
                    bool need_weight, bool need_bias);

}  // namespace ember::ops
