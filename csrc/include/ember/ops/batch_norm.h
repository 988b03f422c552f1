// BatchNorm, fused: one kernel computes each channel's statistics (in double) and normalizes;
// one computes the input and parameter gradients per channel.
#pragma once

#include <optional>
#include <tuple>

#include "ember/tensor.h"

namespace ember::ops {

// x (N, C, *) floating; weight, bias: C values of x's dtype and device, or nullopt. training:
// normalize by the batch statistics of each channel; otherwise by running_mean/running_var (C
// floating values on x's device, required). Returns (y like x, mean, var) with mean and var
// (C,) float64: the batch's (biased variance) when training, else the running ones.
std::tuple<Tensor, Tensor, Tensor> batch_norm(const Tensor& x,
                                              const std::optional<Tensor>& weight,
                                              const std::optional<Tensor>& bias,
                                              const std::optional<Tensor>& running_mean,
                                              const std::optional<Tensor>& running_var,
                                              bool training, double eps);
// The gradients (dx, dweight, dbias) from grad (shape of x), each only when asked for; mean and
// var as batch_norm returned them.
std::tuple<std::optional<Tensor>, std::optional<Tensor>, std::optional<Tensor>>
batch_norm_backward(const Tensor& grad, const Tensor& x, const Tensor& mean, const Tensor& var,
                    const std::optional<Tensor>& weight, bool training, double eps,
                    bool need_input, bool need_weight, bool need_bias);

}  // namespace ember::ops
