// Upsampling ops: shape checks, allocation, device dispatch to the kernels of
// core/kernels/upsample.inc. 1-D and 2-D inputs are the (D, H, W) geometry with unit leading
// dims.
#include "ember/ops/upsample.h"

#include <algorithm>

#include "core/device_dispatch.h"
#include "cpu/upsample.h"
#include "cuda/upsample.h"
#include "ember/error.h"
#include "ember/ops/copy.h"
#include "ember/ops/creation.h"

namespace ember::ops {
namespace {

// Whether mode runs the linear kernels, linear or cubic (else nearest or nearest-exact).
bool is_linear(const std::string& mode, const char* op) {
  EMBER_CHECK(mode == "nearest" || mode == "nearest-exact" || mode == "linear" ||
                  mode == "cubic",
              ValueError, op,
              ": mode must be 'nearest', 'nearest-exact', 'linear' or 'cubic', got '", mode, "'");
  return mode == "linear" || mode == "cubic";
}

// The geometry of resizing the last output_size.size() dims of input_size to output_size.
UpsampleShape shape_of(const Shape& input_size, const Shape& output_size,
                       const std::vector<double>& scales, const std::string& mode,
                       bool align_corners, const char* op) {
  const size_t k = output_size.size();
  EMBER_CHECK(k >= 1 && k <= 3 && scales.size() == k, ValueError, op,
              ": expected 1 to 3 output sizes and as many scales, got output_size ",
              shape_str(output_size), " and ", scales.size(), " scales");
  EMBER_CHECK(input_size.size() >= k, ValueError, op, ": expected an input with at least ", k,
              " dims to resize ", k, " of them, got shape ", shape_str(input_size));
  int64_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1};
  double scale[3] = {-1.0, -1.0, -1.0};
  for (size_t i = 0; i < k; ++i) {
    in[3 - k + i] = input_size[input_size.size() - k + i];
    out[3 - k + i] = output_size[i];
    scale[3 - k + i] = scales[i];
    EMBER_CHECK(in[3 - k + i] > 0 && out[3 - k + i] > 0, ValueError, op,
                ": input and output sizes should be greater than 0, got output_size ",
                shape_str(output_size), " for input of shape ", shape_str(input_size));
  }
  UpsampleShape s{};
  s.in_d = in[0], s.in_h = in[1], s.in_w = in[2];
  s.out_d = out[0], s.out_h = out[1], s.out_w = out[2];
  s.scale_d = scale[0], s.scale_h = scale[1], s.scale_w = scale[2];
  s.planes = numel_of(input_size) / s.in_plane();
  EMBER_CHECK(mode != "cubic" || k == 2, ValueError, op,
              ": cubic mode resizes 2 dims, got output_size ", shape_str(output_size));
  s.align_corners = align_corners && (mode == "linear" || mode == "cubic");
  s.cubic = mode == "cubic";
  s.exact = mode == "nearest-exact";
  s.shortcuts = mode == "nearest" && k == 2;
  return s;
}

}  // namespace

Tensor upsample(const Tensor& input, const Shape& output_size, const std::vector<double>& scales,
                const std::string& mode, bool align_corners) {
  const char* op = "upsample";
  const bool linear = is_linear(mode, op);
  EMBER_CHECK(is_floating(input.dtype()), TypeError, op,
              ": expected a float32 or float64 input, got ", input.dtype());
  const UpsampleShape s = shape_of(input.sizes(), output_size, scales, mode, align_corners, op);
  Shape out_size = input.sizes();
  std::copy(output_size.begin(), output_size.end(), out_size.end() - output_size.size());
  Tensor out = Tensor::empty(out_size, input.dtype(), input.device());
  if (out.numel() == 0) return out;
  const Tensor in_c = contiguous(input);
  if (linear)
    EMBER_KERNEL_ON(input, op, upsample_linear_forward, s, input.dtype(), in_c.data_ptr(),
                    out.data_ptr());
  else
    EMBER_KERNEL_ON(input, op, upsample_nearest_forward, s, input.dtype(), in_c.data_ptr(),
                    out.data_ptr());
  return out;
}

Tensor upsample_backward(const Tensor& grad_output, const Shape& input_size,
                         const std::vector<double>& scales, const std::string& mode,
                         bool align_corners) {
  const char* op = "upsample_backward";
  const bool linear = is_linear(mode, op);
  EMBER_CHECK(is_floating(grad_output.dtype()), TypeError, op,
              ": expected a float32 or float64 grad_output, got ", grad_output.dtype());
  const Shape& g = grad_output.sizes();
  const size_t k = scales.size();
  EMBER_CHECK(g.size() == input_size.size() && g.size() >= k &&
                  std::equal(g.begin(), g.end() - k, input_size.begin()),
              ValueError, op, ": grad_output of shape ", shape_str(g),
              " does not fit input of shape ", shape_str(input_size));
  const UpsampleShape s =
      shape_of(input_size, Shape(g.end() - k, g.end()), scales, mode, align_corners, op);
  Tensor grad_input = zeros(input_size, grad_output.dtype(), grad_output.device());
  if (grad_output.numel() == 0) return grad_input;
  const Tensor go_c = contiguous(grad_output);
  if (linear)
    EMBER_KERNEL_ON(grad_output, op, upsample_linear_backward, s, grad_output.dtype(),
                    go_c.data_ptr(), grad_input.data_ptr());
  else
    EMBER_KERNEL_ON(grad_output, op, upsample_nearest_backward, s, grad_output.dtype(),
                    go_c.data_ptr(), grad_input.data_ptr());
  return grad_input;
}

}  // namespace ember::ops
