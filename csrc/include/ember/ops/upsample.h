// 2-D upsampling with PyTorch's index math (nn.Upsample, F.interpolate) on float32/float64
// inputs (.., H, W): mode "nearest" or "bilinear". scale_h / scale_w are the caller's
// scale_factor (used for the source positions, as PyTorch does), or <= 0 when output_size alone
// was given.
#pragma once

#include <string>

#include "ember/tensor.h"

namespace ember::ops {

// output (.., out_h, out_w) for output_size (out_h, out_w).
Tensor upsample(const Tensor& input, const Shape& output_size, double scale_h, double scale_w,
                const std::string& mode, bool align_corners);
// grad_input of input_size from grad_output (.., out_h, out_w).
Tensor upsample_backward(const Tensor& grad_output, const Shape& input_size, double scale_h,
                         double scale_w, const std::string& mode, bool align_corners);

}  // namespace ember::ops
