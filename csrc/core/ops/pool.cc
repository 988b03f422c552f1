#include "ember/ops/pool.h"

#include "core/device_dispatch.h"
#include "cpu/pool.h"
#include "cuda/pool.h"
#include "ember/error.h"
#include "ember/ops/copy.h"
#include "ember/ops/creation.h"

namespace ember::ops {
namespace {

void check_input_size(const Shape& size, const char* op) {
  EMBER_CHECK(size.size() == 3 || size.size() == 4, ValueError, op,
              ": expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got shape ",
              shape_str(size));
  EMBER_CHECK(size[size.size() - 1] > 0 && size[size.size() - 2] > 0, ValueError, op,
              ": input of shape ", shape_str(size), " has an empty plane");
}

void check_pair(const Shape& v, const char* what, int64_t min, const char* op) {
  EMBER_CHECK(v.size() == 2, ValueError, op, ": expected 2 values for ", what, ", got ",
              shape_str(v));
  EMBER_CHECK(v[0] >= min && v[1] >= min, ValueError, op, ": ", what, " must be >= ", min,
              ", got ", shape_str(v));
}

void check_float(const Tensor& t, const char* op) {
  EMBER_CHECK(is_floating(t.dtype()), TypeError, op, ": expected a float32 or float64 input, got ",
              t.dtype());
}

// The planes of a checked input size, every other field zero.
Pool2dShape planes_of(const Shape& input_size) {
  Pool2dShape s{};
  s.h = input_size[input_size.size() - 2];
  s.w = input_size[input_size.size() - 1];
  s.planes = numel_of(input_size) / (s.h * s.w);
  return s;
}

// PyTorch's pooling_output_shape: the last window must start inside the input or its left
// padding, also in ceil mode.
int64_t pooled_size(int64_t in, int64_t k, int64_t stride, int64_t pad, int64_t dil,
                    bool ceil_mode) {
  const int64_t span = in + 2 * pad - dil * (k - 1) - 1 + (ceil_mode ? stride - 1 : 0);
  int64_t out = (span >= 0 ? span / stride : -((-span + stride - 1) / stride)) + 1;
  if (ceil_mode && (out - 1) * stride >= in + pad) --out;
  return out;
}

Pool2dShape window_shape(const Shape& input_size, const Shape& kernel, const Shape& stride,
                         const Shape& padding, const Shape& dilation, bool ceil_mode,
                         const char* op) {
  check_input_size(input_size, op);
  check_pair(kernel, "kernel_size", 1, op);
  check_pair(stride, "stride", 1, op);
  check_pair(padding, "padding", 0, op);
  check_pair(dilation, "dilation", 1, op);
  EMBER_CHECK(padding[0] <= kernel[0] / 2 && padding[1] <= kernel[1] / 2, ValueError, op,
              ": padding ", shape_str(padding), " must be at most half of kernel_size ",
              shape_str(kernel));
  Pool2dShape s = planes_of(input_size);
  s.kh = kernel[0];
  s.kw = kernel[1];
  s.stride_h = stride[0];
  s.stride_w = stride[1];
  s.pad_h = padding[0];
  s.pad_w = padding[1];
  s.dil_h = dilation[0];
  s.dil_w = dilation[1];
  s.out_h = pooled_size(s.h, s.kh, s.stride_h, s.pad_h, s.dil_h, ceil_mode);
  s.out_w = pooled_size(s.w, s.kw, s.stride_w, s.pad_w, s.dil_w, ceil_mode);
  EMBER_CHECK(s.out_h >= 1 && s.out_w >= 1, ValueError, op, ": input of shape ",
              shape_str(input_size), " is too small for kernel_size ", shape_str(kernel),
              " with dilation ", shape_str(dilation), " and padding ", shape_str(padding),
              ": the output would be (", s.out_h, ", ", s.out_w, ")");
  return s;
}

Pool2dShape adaptive_shape(const Shape& input_size, const Shape& output_size, const char* op) {
  check_input_size(input_size, op);
  check_pair(output_size, "output_size", 1, op);
  Pool2dShape s = planes_of(input_size);
  s.out_h = output_size[0];
  s.out_w = output_size[1];
  s.adaptive = true;
  return s;
}

Shape output_shape(const Shape& input_size, const Pool2dShape& s) {
  Shape out = input_size;
  out[out.size() - 2] = s.out_h;
  out[out.size() - 1] = s.out_w;
  return out;
}

void check_grad_output(const Tensor& grad_output, const Shape& want, const char* op) {
  EMBER_CHECK(grad_output.sizes() == want, ValueError, op, ": grad_output has shape ",
              shape_str(grad_output.sizes()), ", expected ", shape_str(want));
  check_float(grad_output, op);
}

std::tuple<Tensor, Tensor> max_pool(const Tensor& input, const Pool2dShape& s, const char* op) {
  check_float(input, op);
  const Shape out_size = output_shape(input.sizes(), s);
  Tensor out = Tensor::empty(out_size, input.dtype(), input.device());
  Tensor indices = Tensor::empty(out_size, DType::Int64, input.device());
  if (out.numel() == 0) return {out, indices};
  const Tensor in_c = contiguous(input);
  EMBER_KERNEL_ON(input, op, max_pool2d_forward, s, input.dtype(), in_c.data_ptr(),
                  out.data_ptr(), indices.data<int64_t>());
  return {out, indices};
}

Tensor avg_pool(const Tensor& input, const Pool2dShape& s, const char* op) {
  check_float(input, op);
  Tensor out = Tensor::empty(output_shape(input.sizes(), s), input.dtype(), input.device());
  if (out.numel() == 0) return out;
  const Tensor in_c = contiguous(input);
  EMBER_KERNEL_ON(input, op, avg_pool2d_forward, s, input.dtype(), in_c.data_ptr(),
                  out.data_ptr());
  return out;
}

Tensor avg_pool_backward(const Tensor& grad_output, const Shape& input_size,
                         const Pool2dShape& s, const char* op) {
  check_grad_output(grad_output, output_shape(input_size, s), op);
  Tensor grad_input = zeros(input_size, grad_output.dtype(), grad_output.device());
  if (grad_output.numel() == 0) return grad_input;
  const Tensor go_c = contiguous(grad_output);
  EMBER_KERNEL_ON(grad_output, op, avg_pool2d_backward, s, grad_output.dtype(), go_c.data_ptr(),
                  grad_input.data_ptr());
  return grad_input;
}

void set_divisor(Pool2dShape& s, std::optional<int64_t> divisor_override, const char* op) {
  if (!divisor_override) return;
  EMBER_CHECK(*divisor_override > 0, ValueError, op, ": divisor_override must be > 0, got ",
              *divisor_override);
  s.divisor = *divisor_override;
}

}  // namespace

std::tuple<Tensor, Tensor> max_pool2d(const Tensor& input, const Shape& kernel_size,
                                      const Shape& stride, const Shape& padding,
                                      const Shape& dilation, bool ceil_mode) {
  const char* op = "max_pool2d";
  return max_pool(input,
                  window_shape(input.sizes(), kernel_size, stride, padding, dilation, ceil_mode,
                               op),
                  op);
}

std::tuple<Tensor, Tensor> adaptive_max_pool2d(const Tensor& input, const Shape& output_size) {
  const char* op = "adaptive_max_pool2d";
  return max_pool(input, adaptive_shape(input.sizes(), output_size, op), op);
}

Tensor max_pool2d_backward(const Tensor& grad_output, const Tensor& indices,
                           const Shape& input_size) {
  const char* op = "max_pool2d_backward";
  check_input_size(input_size, op);
  EMBER_CHECK(indices.dtype() == DType::Int64 && indices.sizes() == grad_output.sizes(),
              ValueError, op, ": indices of shape ", shape_str(indices.sizes()), " and dtype ",
              indices.dtype(), " do not fit grad_output of shape ",
              shape_str(grad_output.sizes()));
  EMBER_CHECK(grad_output.dim() == static_cast<int64_t>(input_size.size()), ValueError, op,
              ": grad_output of shape ", shape_str(grad_output.sizes()),
              " does not fit input of shape ", shape_str(input_size));
  check_float(grad_output, op);
  Pool2dShape s = planes_of(input_size);
  const size_t d = input_size.size();
  s.out_h = grad_output.sizes()[d - 2];
  s.out_w = grad_output.sizes()[d - 1];
  EMBER_CHECK(grad_output.numel() == s.planes * s.out_h * s.out_w, ValueError, op,
              ": grad_output of shape ", shape_str(grad_output.sizes()),
              " does not fit input of shape ", shape_str(input_size));
  Tensor grad_input = zeros(input_size, grad_output.dtype(), grad_output.device());
  if (grad_output.numel() == 0) return grad_input;
  const Tensor go_c = contiguous(grad_output), idx_c = contiguous(indices);
  EMBER_KERNEL_ON(grad_output, op, max_pool2d_backward, s, grad_output.dtype(), go_c.data_ptr(),
                  idx_c.data<int64_t>(), grad_input.data_ptr());
  return grad_input;
}

Tensor avg_pool2d(const Tensor& input, const Shape& kernel_size, const Shape& stride,
                  const Shape& padding, bool ceil_mode, bool count_include_pad,
                  std::optional<int64_t> divisor_override) {
  const char* op = "avg_pool2d";
  Pool2dShape s =
      window_shape(input.sizes(), kernel_size, stride, padding, {1, 1}, ceil_mode, op);
  s.count_include_pad = count_include_pad;
  set_divisor(s, divisor_override, op);
  return avg_pool(input, s, op);
}

Tensor avg_pool2d_backward(const Tensor& grad_output, const Shape& input_size,
                           const Shape& kernel_size, const Shape& stride, const Shape& padding,
                           bool ceil_mode, bool count_include_pad,
                           std::optional<int64_t> divisor_override) {
  const char* op = "avg_pool2d_backward";
  Pool2dShape s = window_shape(input_size, kernel_size, stride, padding, {1, 1}, ceil_mode, op);
  s.count_include_pad = count_include_pad;
  set_divisor(s, divisor_override, op);
  return avg_pool_backward(grad_output, input_size, s, op);
}

Tensor adaptive_avg_pool2d(const Tensor& input, const Shape& output_size) {
  const char* op = "adaptive_avg_pool2d";
  return avg_pool(input, adaptive_shape(input.sizes(), output_size, op), op);
}

Tensor adaptive_avg_pool2d_backward(const Tensor& grad_output, const Shape& input_size) {
  const char* op = "adaptive_avg_pool2d_backward";
  const Shape out{grad_output.dim() >= 2 ? grad_output.sizes()[grad_output.dim() - 2] : 0,
                  grad_output.dim() >= 2 ? grad_output.sizes()[grad_output.dim() - 1] : 0};
  return avg_pool_backward(grad_output, input_size, adaptive_shape(input_size, out, op), op);
}

}  // namespace ember::ops
