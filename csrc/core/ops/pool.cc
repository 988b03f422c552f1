// 2-D and 3-D pooling ops: shape checks, allocation, device dispatch. Every op is the same code
// for nd = 2 or 3 spatial dims; 2-D is the depth-1 case of core/pool_scalar.h's PoolShape.
#include "ember/ops/pool.h"

#include <string>

#include "core/device_dispatch.h"
#include "cpu/pool.h"
#include "cuda/pool.h"
#include "ember/error.h"
#include "ember/ops/copy.h"
#include "ember/ops/creation.h"

namespace ember::ops {
namespace {

std::string layout(size_t nd, bool batched) {
  return std::string(batched ? "(N, C, " : "(C, ") + (nd == 3 ? "D, H, W)" : "H, W)");
}

void check_input_size(const Shape& size, size_t nd, const char* op) {
  EMBER_CHECK(size.size() == nd + 1 || size.size() == nd + 2, ValueError, op, ": expected a ",
              nd + 1, "-D ", layout(nd, false), " or ", nd + 2, "-D ", layout(nd, true),
              " input, got shape ", shape_str(size));
  for (size_t i = size.size() - nd; i < size.size(); ++i)
    EMBER_CHECK(size[i] > 0, ValueError, op, ": input of shape ", shape_str(size),
                " has an empty plane");
}

void check_values(const Shape& v, size_t nd, const char* what, int64_t min, const char* op) {
  EMBER_CHECK(v.size() == nd, ValueError, op, ": expected ", nd, " values for ", what, ", got ",
              shape_str(v));
  for (int64_t x : v)
    EMBER_CHECK(x >= min, ValueError, op, ": ", what, " must be >= ", min, ", got ",
                shape_str(v));
}

void check_float(const Tensor& t, const char* op) {
  EMBER_CHECK(is_floating(t.dtype()), TypeError, op, ": expected a float32 or float64 input, got ",
              t.dtype());
}

// The planes of a checked input size with nd spatial dims: a 1x1x1 window and output, depth 1
// in 2-D.
PoolShape planes_of(const Shape& input_size, size_t nd) {
  PoolShape s{};
  const size_t r = input_size.size();
  s.d = nd == 3 ? input_size[r - 3] : 1;
  s.h = input_size[r - 2];
  s.w = input_size[r - 1];
  s.planes = numel_of(input_size) / s.in_plane();
  s.out_d = s.out_h = s.out_w = 1;
  s.kd = s.kh = s.kw = s.stride_d = s.stride_h = s.stride_w = 1;
  s.dil_d = s.dil_h = s.dil_w = 1;
  return s;
}

// The spatial output sizes (out_d, out_h, out_w), the last nd of them, set from v.
void set_out(PoolShape& s, const Shape& v) {
  int64_t* out[3] = {&s.out_d, &s.out_h, &s.out_w};
  for (size_t i = 0; i < v.size(); ++i) *out[3 - v.size() + i] = v[i];
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

PoolShape window_shape(const Shape& input_size, const Shape& kernel, const Shape& stride,
                       const Shape& padding, const Shape& dilation, bool ceil_mode,
                       const char* op) {
  const size_t nd = kernel.size();
  check_input_size(input_size, nd, op);
  check_values(kernel, nd, "kernel_size", 1, op);
  check_values(stride, nd, "stride", 1, op);
  check_values(padding, nd, "padding", 0, op);
  check_values(dilation, nd, "dilation", 1, op);
  for (size_t i = 0; i < nd; ++i)
    EMBER_CHECK(padding[i] <= kernel[i] / 2, ValueError, op, ": padding ", shape_str(padding),
                " must be at most half of kernel_size ", shape_str(kernel));
  PoolShape s = planes_of(input_size, nd);
  int64_t* in[3] = {&s.d, &s.h, &s.w};
  int64_t* k[3] = {&s.kd, &s.kh, &s.kw};
  int64_t* st[3] = {&s.stride_d, &s.stride_h, &s.stride_w};
  int64_t* pd[3] = {&s.pad_d, &s.pad_h, &s.pad_w};
  int64_t* dl[3] = {&s.dil_d, &s.dil_h, &s.dil_w};
  Shape out(nd);
  for (size_t i = 0; i < nd; ++i) {
    const size_t j = 3 - nd + i;
    *k[j] = kernel[i];
    *st[j] = stride[i];
    *pd[j] = padding[i];
    *dl[j] = dilation[i];
    out[i] = pooled_size(*in[j], kernel[i], stride[i], padding[i], dilation[i], ceil_mode);
  }
  set_out(s, out);
  for (int64_t o : out)
    EMBER_CHECK(o >= 1, ValueError, op, ": input of shape ", shape_str(input_size),
                " is too small for kernel_size ", shape_str(kernel), " with dilation ",
                shape_str(dilation), " and padding ", shape_str(padding),
                ": the output would be ", shape_str(out));
  return s;
}

PoolShape adaptive_shape(const Shape& input_size, const Shape& output_size, size_t nd,
                         const char* op) {
  check_input_size(input_size, nd, op);
  check_values(output_size, nd, "output_size", 1, op);
  PoolShape s = planes_of(input_size, nd);
  set_out(s, output_size);
  s.adaptive = true;
  return s;
}

Shape output_shape(const Shape& input_size, const PoolShape& s, size_t nd) {
  Shape out = input_size;
  const size_t r = out.size();
  if (nd == 3) out[r - 3] = s.out_d;
  out[r - 2] = s.out_h;
  out[r - 1] = s.out_w;
  return out;
}

void check_grad_output(const Tensor& grad_output, const Shape& want, const char* op) {
  EMBER_CHECK(grad_output.sizes() == want, ValueError, op, ": grad_output has shape ",
              shape_str(grad_output.sizes()), ", expected ", shape_str(want));
  check_float(grad_output, op);
}

std::tuple<Tensor, Tensor> max_pool(const Tensor& input, const PoolShape& s, size_t nd,
                                    const char* op) {
  check_float(input, op);
  const Shape out_size = output_shape(input.sizes(), s, nd);
  Tensor out = Tensor::empty(out_size, input.dtype(), input.device());
  Tensor indices = Tensor::empty(out_size, DType::Int64, input.device());
  if (out.numel() == 0) return {out, indices};
  const Tensor in_c = contiguous(input);
  EMBER_KERNEL_ON(input, op, max_pool_forward, s, input.dtype(), in_c.data_ptr(), out.data_ptr(),
                  indices.data<int64_t>());
  return {out, indices};
}

// The planes of input_size (nd spatial dims) with the output planes of `pooled`'s shape, after
// checking that `pooled` (grad_output of a max pool, or an unpool's input) fits and that indices
// match it.
PoolShape indexed_shape(const Tensor& pooled, const Tensor& indices, const Shape& input_size,
                        size_t nd, const char* what, const char* op) {
  check_input_size(input_size, nd, op);
  EMBER_CHECK(indices.dtype() == DType::Int64 && indices.sizes() == pooled.sizes(), ValueError,
              op, ": indices of shape ", shape_str(indices.sizes()), " and dtype ",
              indices.dtype(), " do not fit ", what, " of shape ", shape_str(pooled.sizes()));
  EMBER_CHECK(indices.device() == pooled.device(), ValueError, op, ": indices on ",
              indices.device(), " but ", what, " on ", pooled.device());
  EMBER_CHECK(pooled.dim() == static_cast<int64_t>(input_size.size()), ValueError, op, ": ",
              what, " of shape ", shape_str(pooled.sizes()), " does not fit shape ",
              shape_str(input_size));
  check_float(pooled, op);
  PoolShape s = planes_of(input_size, nd);
  const Shape& g = pooled.sizes();
  set_out(s, Shape(g.end() - nd, g.end()));
  EMBER_CHECK(pooled.numel() == s.planes * s.out_plane(), ValueError, op, ": ", what,
              " of shape ", shape_str(g), " does not fit shape ", shape_str(input_size));
  return s;
}

Tensor max_pool_backward(const Tensor& grad_output, const Tensor& indices,
                         const Shape& input_size, size_t nd, const char* op) {
  const PoolShape s = indexed_shape(grad_output, indices, input_size, nd, "grad_output", op);
  Tensor grad_input = zeros(input_size, grad_output.dtype(), grad_output.device());
  if (grad_output.numel() == 0) return grad_input;
  const Tensor go_c = contiguous(grad_output), idx_c = contiguous(indices);
  EMBER_KERNEL_ON(grad_output, op, max_pool_backward, s, grad_output.dtype(), go_c.data_ptr(),
                  idx_c.data<int64_t>(), grad_input.data_ptr());
  return grad_input;
}

Tensor avg_pool(const Tensor& input, const PoolShape& s, size_t nd, const char* op) {
  check_float(input, op);
  Tensor out = Tensor::empty(output_shape(input.sizes(), s, nd), input.dtype(), input.device());
  if (out.numel() == 0) return out;
  const Tensor in_c = contiguous(input);
  EMBER_KERNEL_ON(input, op, avg_pool_forward, s, input.dtype(), in_c.data_ptr(),
                  out.data_ptr());
  return out;
}

Tensor avg_pool_backward(const Tensor& grad_output, const Shape& input_size, const PoolShape& s,
                         size_t nd, const char* op) {
  check_grad_output(grad_output, output_shape(input_size, s, nd), op);
  Tensor grad_input = zeros(input_size, grad_output.dtype(), grad_output.device());
  if (grad_output.numel() == 0) return grad_input;
  const Tensor go_c = contiguous(grad_output);
  EMBER_KERNEL_ON(grad_output, op, avg_pool_backward, s, grad_output.dtype(), go_c.data_ptr(),
                  grad_input.data_ptr());
  return grad_input;
}

PoolShape avg_shape(const Shape& input_size, const Shape& kernel_size, const Shape& stride,
                    const Shape& padding, bool ceil_mode, bool count_include_pad,
                    std::optional<int64_t> divisor_override, const char* op) {
  PoolShape s = window_shape(input_size, kernel_size, stride, padding,
                             Shape(kernel_size.size(), 1), ceil_mode, op);
  s.count_include_pad = count_include_pad;
  if (divisor_override) {
    EMBER_CHECK(*divisor_override > 0, ValueError, op, ": divisor_override must be > 0, got ",
                *divisor_override);
    s.divisor = *divisor_override;
  }
  return s;
}

Shape adaptive_out_of(const Tensor& grad_output, size_t nd) {
  if (grad_output.dim() < static_cast<int64_t>(nd)) return Shape(nd, 0);
  const Shape& g = grad_output.sizes();
  return Shape(g.end() - nd, g.end());
}

// The public fixed-window ops, for nd = 2 or 3 spatial dims.
std::tuple<Tensor, Tensor> max_pool_nd(const Tensor& input, const Shape& kernel_size,
                                       const Shape& stride, const Shape& padding,
                                       const Shape& dilation, bool ceil_mode, size_t nd,
                                       const char* op) {
  check_values(kernel_size, nd, "kernel_size", 1, op);
  return max_pool(input,
                  window_shape(input.sizes(), kernel_size, stride, padding, dilation, ceil_mode,
                               op),
                  nd, op);
}

Tensor avg_pool_nd(const Tensor& input, const Shape& kernel_size, const Shape& stride,
                   const Shape& padding, bool ceil_mode, bool count_include_pad,
                   std::optional<int64_t> divisor_override, size_t nd, const char* op) {
  check_values(kernel_size, nd, "kernel_size", 1, op);
  return avg_pool(input,
                  avg_shape(input.sizes(), kernel_size, stride, padding, ceil_mode,
                            count_include_pad, divisor_override, op),
                  nd, op);
}

Tensor avg_pool_backward_nd(const Tensor& grad_output, const Shape& input_size,
                            const Shape& kernel_size, const Shape& stride, const Shape& padding,
                            bool ceil_mode, bool count_include_pad,
                            std::optional<int64_t> divisor_override, size_t nd, const char* op) {
  check_values(kernel_size, nd, "kernel_size", 1, op);
  return avg_pool_backward(grad_output, input_size,
                           avg_shape(input_size, kernel_size, stride, padding, ceil_mode,
                                     count_include_pad, divisor_override, op),
                           nd, op);
}

Tensor adaptive_avg_pool_backward(const Tensor& grad_output, const Shape& input_size, size_t nd,
                                  const char* op) {
  return avg_pool_backward(
      grad_output, input_size,
      adaptive_shape(input_size, adaptive_out_of(grad_output, nd), nd, op), nd, op);
}

}  // namespace

std::tuple<Tensor, Tensor> max_pool2d(const Tensor& input, const Shape& kernel_size,
                                      const Shape& stride, const Shape& padding,
                                      const Shape& dilation, bool ceil_mode) {
  return max_pool_nd(input, kernel_size, stride, padding, dilation, ceil_mode, 2, "max_pool2d");
}

std::tuple<Tensor, Tensor> max_pool3d(const Tensor& input, const Shape& kernel_size,
                                      const Shape& stride, const Shape& padding,
                                      const Shape& dilation, bool ceil_mode) {
  return max_pool_nd(input, kernel_size, stride, padding, dilation, ceil_mode, 3, "max_pool3d");
}

std::tuple<Tensor, Tensor> adaptive_max_pool2d(const Tensor& input, const Shape& output_size) {
  const char* op = "adaptive_max_pool2d";
  return max_pool(input, adaptive_shape(input.sizes(), output_size, 2, op), 2, op);
}

std::tuple<Tensor, Tensor> adaptive_max_pool3d(const Tensor& input, const Shape& output_size) {
  const char* op = "adaptive_max_pool3d";
  return max_pool(input, adaptive_shape(input.sizes(), output_size, 3, op), 3, op);
}

Tensor max_pool2d_backward(const Tensor& grad_output, const Tensor& indices,
                           const Shape& input_size) {
  return max_pool_backward(grad_output, indices, input_size, 2, "max_pool2d_backward");
}

Tensor max_pool3d_backward(const Tensor& grad_output, const Tensor& indices,
                           const Shape& input_size) {
  return max_pool_backward(grad_output, indices, input_size, 3, "max_pool3d_backward");
}

Tensor max_pool_gather(const Tensor& source, const Tensor& indices, int64_t spatial_dims) {
  const char* op = "max_pool_gather";
  EMBER_CHECK(spatial_dims == 2 || spatial_dims == 3, ValueError, op,
              ": spatial_dims must be 2 or 3, got ", spatial_dims);
  const size_t nd = static_cast<size_t>(spatial_dims);
  check_float(source, op);
  Tensor out = Tensor::empty(indices.sizes(), source.dtype(), source.device());
  // the output plays the pooled side: (planes, out spatial) = indices' shape
  const PoolShape s = indexed_shape(out, indices, source.sizes(), nd, "output", op);
  if (out.numel() == 0) return out;
  const Tensor src_c = contiguous(source), idx_c = contiguous(indices);
  EMBER_KERNEL_ON(source, op, max_pool_gather, s, source.dtype(), src_c.data_ptr(),
                  idx_c.data<int64_t>(), out.data_ptr());
  return out;
}

Tensor max_unpool(const Tensor& input, const Tensor& indices, const Shape& output_size) {
  const size_t nd = output_size.size();
  const char* op = nd == 3 ? "max_unpool3d" : "max_unpool2d";
  EMBER_CHECK(nd == 2 || nd == 3, ValueError, "max_unpool: expected 2 or 3 values for "
              "output_size, got ", shape_str(output_size));
  check_values(output_size, nd, "output_size", 1, op);
  EMBER_CHECK(input.dim() == static_cast<int64_t>(nd) + 1 ||
                  input.dim() == static_cast<int64_t>(nd) + 2,
              ValueError, op, ": expected a ", nd + 1, "-D ", layout(nd, false), " or ", nd + 2,
              "-D ", layout(nd, true), " input, got shape ", shape_str(input.sizes()));
  Shape full = input.sizes();
  for (size_t i = 0; i < nd; ++i) full[full.size() - nd + i] = output_size[i];
  const PoolShape s = indexed_shape(input, indices, full, nd, "input", op);
  // Indices come from the caller: every one must fall inside its output plane (checked on the
  // host, one copy of the indices).
  const Tensor idx_host = contiguous(to_device(indices, Device{}));
  const int64_t* idx = idx_host.data<int64_t>();
  for (int64_t i = 0; i < idx_host.numel(); ++i)
    EMBER_CHECK(idx[i] >= 0 && idx[i] < s.in_plane(), IndexError, op, ": index ", idx[i],
                " is out of bounds for output_size ", shape_str(output_size),
                " (input of shape ", shape_str(input.sizes()), ")");
  Tensor result = zeros(full, input.dtype(), input.device());
  if (input.numel() == 0) return result;
  const Tensor in_c = contiguous(input), idx_c = contiguous(indices);
  EMBER_KERNEL_ON(input, op, max_unpool_forward, s, input.dtype(), in_c.data_ptr(),
                  idx_c.data<int64_t>(), result.data_ptr());
  return result;
}

Tensor avg_pool2d(const Tensor& input, const Shape& kernel_size, const Shape& stride,
                  const Shape& padding, bool ceil_mode, bool count_include_pad,
                  std::optional<int64_t> divisor_override) {
  return avg_pool_nd(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override, 2, "avg_pool2d");
}

Tensor avg_pool3d(const Tensor& input, const Shape& kernel_size, const Shape& stride,
                  const Shape& padding, bool ceil_mode, bool count_include_pad,
                  std::optional<int64_t> divisor_override) {
  return avg_pool_nd(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override, 3, "avg_pool3d");
}

Tensor avg_pool2d_backward(const Tensor& grad_output, const Shape& input_size,
                           const Shape& kernel_size, const Shape& stride, const Shape& padding,
                           bool ceil_mode, bool count_include_pad,
                           std::optional<int64_t> divisor_override) {
  return avg_pool_backward_nd(grad_output, input_size, kernel_size, stride, padding, ceil_mode,
                              count_include_pad, divisor_override, 2, "avg_pool2d_backward");
}

Tensor avg_pool3d_backward(const Tensor& grad_output, const Shape& input_size,
                           const Shape& kernel_size, const Shape& stride, const Shape& padding,
                           bool ceil_mode, bool count_include_pad,
                           std::optional<int64_t> divisor_override) {
  return avg_pool_backward_nd(grad_output, input_size, kernel_size, stride, padding, ceil_mode,
                              count_include_pad, divisor_override, 3, "avg_pool3d_backward");
}

Tensor adaptive_avg_pool2d(const Tensor& input, const Shape& output_size) {
  const char* op = "adaptive_avg_pool2d";
  return avg_pool(input, adaptive_shape(input.sizes(), output_size, 2, op), 2, op);
}

Tensor adaptive_avg_pool3d(const Tensor& input, const Shape& output_size) {
  const char* op = "adaptive_avg_pool3d";
  return avg_pool(input, adaptive_shape(input.sizes(), output_size, 3, op), 3, op);
}

Tensor adaptive_avg_pool2d_backward(const Tensor& grad_output, const Shape& input_size) {
  return adaptive_avg_pool_backward(grad_output, input_size, 2, "adaptive_avg_pool2d_backward");
}

Tensor adaptive_avg_pool3d_backward(const Tensor& grad_output, const Shape& input_size) {
  return adaptive_avg_pool_backward(grad_output, input_size, 3, "adaptive_avg_pool3d_backward");
}

}  // namespace ember::ops
