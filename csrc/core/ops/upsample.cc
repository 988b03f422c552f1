// Upsampling ops: shape checks, allocation, device dispatch to the kernels of
// core/kernels/upsample.inc.
#include "ember/ops/upsample.h"

#include "core/device_dispatch.h"
#include "cpu/upsample.h"
#include "cuda/upsample.h"
#include "ember/error.h"
#include "ember/ops/copy.h"
#include "ember/ops/creation.h"

namespace ember::ops {
namespace {

bool is_bilinear(const std::string& mode, const char* op) {
  EMBER_CHECK(mode == "nearest" || mode == "bilinear", ValueError, op,
              ": mode must be 'nearest' or 'bilinear', got '", mode, "'");
  return mode == "bilinear";
}

UpsampleShape shape_of(const Shape& input_size, const Shape& output_size, double scale_h,
                       double scale_w, bool align_corners, const char* op) {
  EMBER_CHECK(input_size.size() >= 2, ValueError, op,
              ": expected an input with at least 2 dims (.., H, W), got shape ",
              shape_str(input_size));
  EMBER_CHECK(output_size.size() == 2, ValueError, op, ": expected 2 values for output_size, got ",
              shape_str(output_size));
  const size_t r = input_size.size();
  UpsampleShape s{};
  s.in_h = input_size[r - 2];
  s.in_w = input_size[r - 1];
  EMBER_CHECK(s.in_h > 0 && s.in_w > 0 && output_size[0] > 0 && output_size[1] > 0, ValueError,
              op, ": input (", s.in_h, ", ", s.in_w, ") and output ", shape_str(output_size),
              " sizes must be > 0 (input of shape ", shape_str(input_size), ")");
  s.planes = numel_of(input_size) / (s.in_h * s.in_w);
  s.out_h = output_size[0];
  s.out_w = output_size[1];
  s.scale_h = scale_h;
  s.scale_w = scale_w;
  s.align_corners = align_corners;
  return s;
}

}  // namespace

Tensor upsample(const Tensor& input, const Shape& output_size, double scale_h, double scale_w,
                const std::string& mode, bool align_corners) {
  const char* op = "upsample";
  const bool bilinear = is_bilinear(mode, op);
  EMBER_CHECK(is_floating(input.dtype()), TypeError, op,
              ": expected a float32 or float64 input, got ", input.dtype());
  const UpsampleShape s =
      shape_of(input.sizes(), output_size, scale_h, scale_w, align_corners, op);
  Shape out_size = input.sizes();
  out_size[out_size.size() - 2] = s.out_h;
  out_size[out_size.size() - 1] = s.out_w;
  Tensor out = Tensor::empty(out_size, input.dtype(), input.device());
  if (out.numel() == 0) return out;
  const Tensor in_c = contiguous(input);
  if (bilinear)
    EMBER_KERNEL_ON(input, op, upsample_bilinear_forward, s, input.dtype(), in_c.data_ptr(),
                    out.data_ptr());
  else
    EMBER_KERNEL_ON(input, op, upsample_nearest_forward, s, input.dtype(), in_c.data_ptr(),
                    out.data_ptr());
  return out;
}

Tensor upsample_backward(const Tensor& grad_output, const Shape& input_size, double scale_h,
                         double scale_w, const std::string& mode, bool align_corners) {
  const char* op = "upsample_backward";
  const bool bilinear = is_bilinear(mode, op);
  EMBER_CHECK(is_floating(grad_output.dtype()), TypeError, op,
              ": expected a float32 or float64 grad_output, got ", grad_output.dtype());
  const Shape& g = grad_output.sizes();
  EMBER_CHECK(g.size() == input_size.size() && g.size() >= 2, ValueError, op,
              ": grad_output of shape ", shape_str(g), " does not fit input of shape ",
              shape_str(input_size));
  const UpsampleShape s = shape_of(input_size, {g[g.size() - 2], g[g.size() - 1]}, scale_h,
                                   scale_w, align_corners, op);
  EMBER_CHECK(grad_output.numel() == s.planes * s.out_h * s.out_w, ValueError, op,
              ": grad_output of shape ", shape_str(g), " does not fit input of shape ",
              shape_str(input_size));
  Tensor grad_input = zeros(input_size, grad_output.dtype(), grad_output.device());
  if (grad_output.numel() == 0) return grad_input;
  const Tensor go_c = contiguous(grad_output);
  if (bilinear)
    EMBER_KERNEL_ON(grad_output, op, upsample_bilinear_backward, s, grad_output.dtype(),
                    go_c.data_ptr(), grad_input.data_ptr());
  else
    EMBER_KERNEL_ON(grad_output, op, upsample_nearest_backward, s, grad_output.dtype(),
                    go_c.data_ptr(), grad_input.data_ptr());
  return grad_input;
}

}  // namespace ember::ops
