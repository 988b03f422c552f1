// 2-D pooling with PyTorch's rules, on (C, H, W) or (N, C, H, W) float32/float64 inputs; the
// output has the input's rank. Every size argument is 2 values (rows, columns).
#pragma once

#include <optional>
#include <tuple>

#include "ember/tensor.h"

namespace ember::ops {

// (output, indices): indices (int64) hold the flat position ih * W + iw of each max.
std::tuple<Tensor, Tensor> max_pool2d(const Tensor& input, const Shape& kernel_size,
                                      const Shape& stride, const Shape& padding,
                                      const Shape& dilation, bool ceil_mode);
// Output size (out_h, out_w); windows as in PyTorch's AdaptiveMaxPool2d.
std::tuple<Tensor, Tensor> adaptive_max_pool2d(const Tensor& input, const Shape& output_size);
// grad_input of input_size for max_pool2d or adaptive_max_pool2d, from their indices.
Tensor max_pool2d_backward(const Tensor& grad_output, const Tensor& indices,
                           const Shape& input_size);

// divisor_override: divide every window's sum by it (> 0) instead of the window's size.
Tensor avg_pool2d(const Tensor& input, const Shape& kernel_size, const Shape& stride,
                  const Shape& padding, bool ceil_mode, bool count_include_pad,
                  std::optional<int64_t> divisor_override);
Tensor avg_pool2d_backward(const Tensor& grad_output, const Shape& input_size,
                           const Shape& kernel_size, const Shape& stride, const Shape& padding,
                           bool ceil_mode, bool count_include_pad,
                           std::optional<int64_t> divisor_override);
Tensor adaptive_avg_pool2d(const Tensor& input, const Shape& output_size);
Tensor adaptive_avg_pool2d_backward(const Tensor& grad_output, const Shape& input_size);

}  // namespace ember::ops
