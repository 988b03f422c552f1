// 2-D and 3-D pooling with PyTorch's rules, float32/float64 inputs: 2-D on (C, H, W) or
// (N, C, H, W), 3-D on (C, D, H, W) or (N, C, D, H, W); the output has the input's rank. Every
// size argument has one value per spatial dim ((rows, columns), or (depth, rows, columns)).
#pragma once

#include <optional>
#include <tuple>

#include "ember/tensor.h"

namespace ember::ops {

// (output, indices): indices (int64) hold the flat position ih * W + iw (2-D) or
// (id * H + ih) * W + iw (3-D) of each max inside its plane.
std::tuple<Tensor, Tensor> max_pool2d(const Tensor& input, const Shape& kernel_size,
                                      const Shape& stride, const Shape& padding,
                                      const Shape& dilation, bool ceil_mode);
std::tuple<Tensor, Tensor> max_pool3d(const Tensor& input, const Shape& kernel_size,
                                      const Shape& stride, const Shape& padding,
                                      const Shape& dilation, bool ceil_mode);
// Windows as in PyTorch's AdaptiveMaxPool2d/3d.
std::tuple<Tensor, Tensor> adaptive_max_pool2d(const Tensor& input, const Shape& output_size);
std::tuple<Tensor, Tensor> adaptive_max_pool3d(const Tensor& input, const Shape& output_size);
// grad_input of input_size for a max pool (fixed or adaptive), from its indices.
Tensor max_pool2d_backward(const Tensor& grad_output, const Tensor& indices,
                           const Shape& input_size);
Tensor max_pool3d_backward(const Tensor& grad_output, const Tensor& indices,
                           const Shape& input_size);
// source (.., spatial) read at indices (.., pooled spatial) plane by plane, spatial_dims 2 or 3:
// the transpose of max_poolNd_backward (max pooling's double backward, unpooling's backward).
Tensor max_pool_gather(const Tensor& source, const Tensor& indices, int64_t spatial_dims);
// MaxUnpool2d/3d: zeros of input's size with the last dims set to output_size (2 or 3 values),
// each input value written at its index (indices of input's shape, checked to be in range).
Tensor max_unpool(const Tensor& input, const Tensor& indices, const Shape& output_size);

// divisor_override: divide every window's sum by it (> 0) instead of the window's size.
Tensor avg_pool2d(const Tensor& input, const Shape& kernel_size, const Shape& stride,
                  const Shape& padding, bool ceil_mode, bool count_include_pad,
                  std::optional<int64_t> divisor_override);
Tensor avg_pool3d(const Tensor& input, const Shape& kernel_size, const Shape& stride,
                  const Shape& padding, bool ceil_mode, bool count_include_pad,
                  std::optional<int64_t> divisor_override);
Tensor avg_pool2d_backward(const Tensor& grad_output, const Shape& input_size,
                           const Shape& kernel_size, const Shape& stride, const Shape& padding,
                           bool ceil_mode, bool count_include_pad,
                           std::optional<int64_t> divisor_override);
Tensor avg_pool3d_backward(const Tensor& grad_output, const Shape& input_size,
                           const Shape& kernel_size, const Shape& stride, const Shape& padding,
                           bool ceil_mode, bool count_include_pad,
                           std::optional<int64_t> divisor_override);
Tensor adaptive_avg_pool2d(const Tensor& input, const Shape& output_size);
Tensor adaptive_avg_pool3d(const Tensor& input, const Shape& output_size);
Tensor adaptive_avg_pool2d_backward(const Tensor& grad_output, const Shape& input_size);
Tensor adaptive_avg_pool3d_backward(const Tensor& grad_output, const Shape& input_size);

}  // namespace ember::ops
