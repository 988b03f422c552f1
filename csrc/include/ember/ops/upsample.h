// Upsampling with PyTorch's index math (nn.Upsample, F.interpolate) on float32/float64 inputs
// over their last 1, 2 or 3 dims (.., [[D,] H,] W): mode "nearest", "nearest-exact" or "linear"
// (linear, bilinear or trilinear by the number of dims). scales holds the caller's scale_factor
// per resized dim (used for the source positions, as PyTorch does), or values <= 0 when
// output_size alone was given.
#pragma once

#include <string>
#include <vector>

#include "ember/tensor.h"

namespace ember::ops {

// output (.., out...) for output_size (out...): 1 to 3 values, as many as scales.
Tensor upsample(const Tensor& input, const Shape& output_size, const std::vector<double>& scales,
                const std::string& mode, bool align_corners);
// grad_input of input_size from grad_output (.., out...); the resized dims are as many as
// scales.
Tensor upsample_backward(const Tensor& grad_output, const Shape& input_size,
                         const std::vector<double>& scales, const std::string& mode,
                         bool align_corners);

}  // namespace ember::ops
