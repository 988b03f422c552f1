#include "ember/ops/conv.h"

#include <algorithm>

#include "core/device_dispatch.h"
#include "cpu/conv.h"
#include "cpu/conv3d.h"
#include "ember/error.h"
#include "ember/ops/copy.h"
#include "cuda/conv.h"
#include "cuda/conv3d.h"

namespace ember::ops {
namespace {

ConvVariant parse_variant(const std::string& name, const Tensor& on, const char* op) {
  if (name == "naive") return ConvVariant::Naive;
  if (name == "im2col") return ConvVariant::Im2col;
  if (name == "implicit_gemm") {
    EMBER_CHECK(on.device().is_cuda(), ValueError, op,
                ": variant 'implicit_gemm' runs on CUDA only, got tensors on ", on.device());
    return ConvVariant::ImplicitGemm;
  }
  if (name == "auto") return ConvVariant::Auto;
  throw ValueError(detail::concat(op, ": unknown variant '", name,
                                  "'; expected 'naive', 'im2col', 'implicit_gemm' or 'auto'"));
}

void check_pair(const Shape& v, const char* what, int64_t min, const char* op) {
  EMBER_CHECK(v.size() == 2, ValueError, op, ": expected 2 values for ", what, ", got ",
              shape_str(v));
  EMBER_CHECK(v[0] >= min && v[1] >= min, ValueError, op, ": ", what, " must be >= ", min,
              ", got ", shape_str(v));
}

// The geometry of conv2d(input of input_size, weight of weight_size), every size checked.
// output_size, when not empty, replaces the computed (out_h, out_w) by a size no larger: the
// outputs past it are dropped. That is how a transposed convolution with output_padding >=
// stride (allowed when dilation > output_padding) maps onto these kernels.
Conv2dShape conv_shape(const Shape& input_size, const Shape& weight_size, const Shape& stride,
                       const Shape& padding, const Shape& dilation, int64_t groups,
                       const Shape& output_size, const char* op) {
  EMBER_CHECK(input_size.size() == 4, ValueError, op,
              ": expected a 4-D input (N, C, H, W), got shape ", shape_str(input_size));
  EMBER_CHECK(weight_size.size() == 4, ValueError, op,
              ": expected a 4-D weight (C_out, C_in / groups, kH, kW), got shape ",
              shape_str(weight_size));
  check_pair(stride, "stride", 1, op);
  check_pair(dilation, "dilation", 1, op);
  EMBER_CHECK(padding.size() == 2 || padding.size() == 4, ValueError, op,
              ": expected 2 or 4 values for padding, got ", shape_str(padding));
  for (int64_t p : padding)
    EMBER_CHECK(p >= 0, ValueError, op, ": padding must be >= 0, got ", shape_str(padding));
  EMBER_CHECK(groups >= 1, ValueError, op, ": groups must be >= 1, got ", groups);
  Conv2dShape s{};
  s.n = input_size[0];
  s.c_in = input_size[1];
  s.h = input_size[2];
  s.w = input_size[3];
  s.c_out = weight_size[0];
  s.kh = weight_size[2];
  s.kw = weight_size[3];
  s.stride_h = stride[0];
  s.stride_w = stride[1];
  s.dil_h = dilation[0];
  s.dil_w = dilation[1];
  s.groups = groups;
  const bool four = padding.size() == 4;
  s.pad_h = padding[0];
  s.pad_w = four ? padding[2] : padding[1];
  const int64_t pad_bottom = four ? padding[1] : padding[0];
  const int64_t pad_right = four ? padding[3] : padding[1];
  EMBER_CHECK(s.c_out % groups == 0, ValueError, op, ": weight of shape ",
              shape_str(weight_size), " has ", s.c_out,
              " output channels, not divisible by groups=", groups);
  EMBER_CHECK(weight_size[1] * groups == s.c_in, ValueError, op, ": given groups=", groups,
              ", weight of shape ", shape_str(weight_size), " expects input of shape ",
              shape_str(input_size), " to have ", weight_size[1] * groups,
              " channels, but it has ", s.c_in);
  const int64_t padded_h = s.h + s.pad_h + pad_bottom, padded_w = s.w + s.pad_w + pad_right;
  const int64_t span_h = s.dil_h * (s.kh - 1) + 1, span_w = s.dil_w * (s.kw - 1) + 1;
  EMBER_CHECK(span_h <= padded_h && span_w <= padded_w, ValueError, op,
              ": kernel of shape ", shape_str(weight_size), " (dilated extent (", span_h, ", ",
              span_w, ")) is larger than the padded input (", padded_h, ", ", padded_w,
              ") of input shape ", shape_str(input_size));
  s.out_h = (padded_h - span_h) / s.stride_h + 1;
  s.out_w = (padded_w - span_w) / s.stride_w + 1;
  if (!output_size.empty()) {
    EMBER_CHECK(output_size.size() == 2 && output_size[0] >= 1 && output_size[1] >= 1 &&
                    output_size[0] <= s.out_h && output_size[1] <= s.out_w,
                ValueError, op, ": output_size ", shape_str(output_size),
                " must be 2 values in [1, (", s.out_h, ", ", s.out_w, ")] for input shape ",
                shape_str(input_size), " and weight shape ", shape_str(weight_size));
    s.out_h = output_size[0];
    s.out_w = output_size[1];
  }
  return s;
}

void check_operands(const Tensor& a, const Tensor& b, const char* a_name, const char* b_name,
                    const char* op) {
  EMBER_CHECK(is_floating(a.dtype()) && a.dtype() == b.dtype(), TypeError, op,
              ": expected float32 or float64 ", a_name, " and ", b_name, " of one dtype, got ",
              a.dtype(), " and ", b.dtype());
  EMBER_CHECK(a.device() == b.device(), RuntimeError, op, ": ", a_name, " is on ", a.device(),
              " but ", b_name, " is on ", b.device());
}

// The geometry of conv3d(input of input_size, weight of weight_size), every size checked.
// padding: 3 values (both sides) or 6 (front, back, top, bottom, left, right); output_size as
// for conv_shape.
Conv3dShape conv3d_shape(const Shape& input_size, const Shape& weight_size, const Shape& stride,
                         const Shape& padding, const Shape& dilation, int64_t groups,
                         const Shape& output_size, const char* op) {
  constexpr size_t kDims = Conv3dShape::kDims;
  EMBER_CHECK(input_size.size() == 5, ValueError, op,
              ": expected a 5-D input (N, C, D, H, W), got shape ", shape_str(input_size));
  EMBER_CHECK(weight_size.size() == 5, ValueError, op,
              ": expected a 5-D weight (C_out, C_in / groups, kD, kH, kW), got shape ",
              shape_str(weight_size));
  const auto check_values = [&](const Shape& v, const char* what, int64_t min, bool sided) {
    EMBER_CHECK((v.size() == kDims || (sided && v.size() == 2 * kDims)) &&
                    *std::min_element(v.begin(), v.end()) >= min,
                ValueError, op, ": expected 3", sided ? " or 6" : "", " values >= ", min,
                " for ", what, ", got ", shape_str(v));
  };
  check_values(stride, "stride", 1, false);
  check_values(dilation, "dilation", 1, false);
  check_values(padding, "padding", 0, true);
  EMBER_CHECK(groups >= 1, ValueError, op, ": groups must be >= 1, got ", groups);
  Conv3dShape s{};
  s.n = input_size[0];
  s.c_in = input_size[1];
  s.c_out = weight_size[0];
  s.groups = groups;
  EMBER_CHECK(s.c_out % groups == 0, ValueError, op, ": weight of shape ",
              shape_str(weight_size), " has ", s.c_out,
              " output channels, not divisible by groups=", groups);
  EMBER_CHECK(weight_size[1] * groups == s.c_in, ValueError, op, ": given groups=", groups,
              ", weight of shape ", shape_str(weight_size), " expects input of shape ",
              shape_str(input_size), " to have ", weight_size[1] * groups,
              " channels, but it has ", s.c_in);
  const bool both = padding.size() == 2 * kDims;
  for (int a = 0; a < Conv3dShape::kDims; ++a) {
    s.in[a] = input_size[2 + a];
    s.k[a] = weight_size[2 + a];
    s.stride[a] = stride[a];
    s.dil[a] = dilation[a];
    s.pad[a] = padding[both ? 2 * a : a];
    const int64_t padded = s.in[a] + s.pad[a] + padding[both ? 2 * a + 1 : a];
    const int64_t span = s.dil[a] * (s.k[a] - 1) + 1;
    EMBER_CHECK(span <= padded, ValueError, op, ": kernel of shape ", shape_str(weight_size),
                " (dilated extent ", span, " along spatial dim ", a,
                ") is larger than the padded input (", padded, ") of input shape ",
                shape_str(input_size));
    s.out[a] = (padded - span) / s.stride[a] + 1;
  }
  if (!output_size.empty()) {
    EMBER_CHECK(output_size.size() == kDims, ValueError, op, ": expected 3 values for ",
                "output_size, got ", shape_str(output_size));
    for (int a = 0; a < Conv3dShape::kDims; ++a) {
      EMBER_CHECK(output_size[a] >= 1 && output_size[a] <= s.out[a], ValueError, op,
                  ": output_size ", shape_str(output_size), " must lie in [1, (", s.out[0],
                  ", ", s.out[1], ", ", s.out[2], ")] for input shape ", shape_str(input_size),
                  " and weight shape ", shape_str(weight_size));
      s.out[a] = output_size[a];
    }
  }
  return s;
}

// The kernels and sizes of the 2-D and the 3-D convolution, for the op bodies below, which are
// the same for both. (op only names the op in the error of a build without CUDA.)
struct Conv2d {
  using Geometry = Conv2dShape;
  static Geometry shape(const Shape& input_size, const Shape& weight_size, const Shape& stride,
                        const Shape& padding, const Shape& dilation, int64_t groups,
                        const Shape& output_size, const char* op) {
    return conv_shape(input_size, weight_size, stride, padding, dilation, groups, output_size,
                      op);
  }
  static Shape output_sizes(const Geometry& s) { return {s.n, s.c_out, s.out_h, s.out_w}; }
  static void forward(const Tensor& on, [[maybe_unused]] const char* op, const Geometry& s,
                      const void* input, const void* weight, const void* bias, void* output,
                      ConvVariant v) {
    EMBER_KERNEL_ON(on, op, conv2d_forward, s, on.dtype(), input, weight, bias, output, v);
  }
  static void backward_input(const Tensor& on, [[maybe_unused]] const char* op, const Geometry& s,
                             const void* grad_output, const void* weight, void* grad_input,
                             ConvVariant v) {
    EMBER_KERNEL_ON(on, op, conv2d_backward_input, s, on.dtype(), grad_output, weight,
                    grad_input, v);
  }
  static void backward_weight(const Tensor& on, [[maybe_unused]] const char* op, const Geometry& s,
                              const void* grad_output, const void* input, void* grad_weight,
                              ConvVariant v) {
    EMBER_KERNEL_ON(on, op, conv2d_backward_weight, s, on.dtype(), grad_output, input,
                    grad_weight, v);
  }
};

struct Conv3d {
  using Geometry = Conv3dShape;
  static Geometry shape(const Shape& input_size, const Shape& weight_size, const Shape& stride,
                        const Shape& padding, const Shape& dilation, int64_t groups,
                        const Shape& output_size, const char* op) {
    return conv3d_shape(input_size, weight_size, stride, padding, dilation, groups, output_size,
                        op);
  }
  static Shape output_sizes(const Geometry& s) {
    return {s.n, s.c_out, s.out[0], s.out[1], s.out[2]};
  }
  static void forward(const Tensor& on, [[maybe_unused]] const char* op, const Geometry& s,
                      const void* input, const void* weight, const void* bias, void* output,
                      ConvVariant v) {
    EMBER_KERNEL_ON(on, op, conv3d_forward, s, on.dtype(), input, weight, bias, output, v);
  }
  static void backward_input(const Tensor& on, [[maybe_unused]] const char* op, const Geometry& s,
                             const void* grad_output, const void* weight, void* grad_input,
                             ConvVariant v) {
    EMBER_KERNEL_ON(on, op, conv3d_backward_input, s, on.dtype(), grad_output, weight,
                    grad_input, v);
  }
  static void backward_weight(const Tensor& on, [[maybe_unused]] const char* op, const Geometry& s,
                              const void* grad_output, const void* input, void* grad_weight,
                              ConvVariant v) {
    EMBER_KERNEL_ON(on, op, conv3d_backward_weight, s, on.dtype(), grad_output, input,
                    grad_weight, v);
  }
};

template <class K>
void check_grad_output(const Tensor& grad_output, const typename K::Geometry& s,
                       const char* op) {
  const Shape want = K::output_sizes(s);
  EMBER_CHECK(grad_output.sizes() == want, ValueError, op, ": grad_output has shape ",
              shape_str(grad_output.sizes()), ", expected ", shape_str(want));
}

template <class K>
Tensor forward(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias,
               const Shape& stride, const Shape& padding, const Shape& dilation, int64_t groups,
               const std::string& variant, const Shape& output_size, const char* op) {
  const ConvVariant var = parse_variant(variant, input, op);
  const auto s = K::shape(input.sizes(), weight.sizes(), stride, padding, dilation, groups,
                          output_size, op);
  check_operands(input, weight, "input", "weight", op);
  std::optional<Tensor> bias_c;
  if (bias) {
    EMBER_CHECK(bias->dim() == 1 && bias->sizes()[0] == s.c_out, ValueError, op,
                ": bias of shape ", shape_str(bias->sizes()), " does not fit weight of shape ",
                shape_str(weight.sizes()), ": expected (", s.c_out, ",)");
    check_operands(input, *bias, "input", "bias", op);
    bias_c = contiguous(*bias);
  }
  Tensor out = Tensor::empty(K::output_sizes(s), input.dtype(), input.device());
  if (out.numel() == 0) return out;
  const Tensor in_c = contiguous(input), w_c = contiguous(weight);
  K::forward(input, op, s, in_c.data_ptr(), w_c.data_ptr(),
             bias_c ? bias_c->data_ptr() : nullptr, out.data_ptr(), var);
  return out;
}

template <class K>
Tensor backward_input(const Tensor& grad_output, const Tensor& weight, const Shape& input_size,
                      const Shape& stride, const Shape& padding, const Shape& dilation,
                      int64_t groups, const std::string& variant, const Shape& output_size,
                      const char* op) {
  const ConvVariant var = parse_variant(variant, weight, op);
  const auto s = K::shape(input_size, weight.sizes(), stride, padding, dilation, groups,
                          output_size, op);
  check_operands(grad_output, weight, "grad_output", "weight", op);
  check_grad_output<K>(grad_output, s, op);
  Tensor grad_input = Tensor::empty(input_size, weight.dtype(), weight.device());
  if (grad_input.numel() == 0) return grad_input;
  const Tensor go_c = contiguous(grad_output), w_c = contiguous(weight);
  K::backward_input(weight, op, s, go_c.data_ptr(), w_c.data_ptr(), grad_input.data_ptr(), var);
  return grad_input;
}

template <class K>
Tensor backward_weight(const Tensor& grad_output, const Tensor& input, const Shape& weight_size,
                       const Shape& stride, const Shape& padding, const Shape& dilation,
                       int64_t groups, const std::string& variant, const Shape& output_size,
                       const char* op) {
  const ConvVariant var = parse_variant(variant, input, op);
  const auto s = K::shape(input.sizes(), weight_size, stride, padding, dilation, groups,
                          output_size, op);
  check_operands(grad_output, input, "grad_output", "input", op);
  check_grad_output<K>(grad_output, s, op);
  Tensor grad_weight = Tensor::empty(weight_size, input.dtype(), input.device());
  if (grad_weight.numel() == 0) return grad_weight;
  const Tensor go_c = contiguous(grad_output), in_c = contiguous(input);
  K::backward_weight(input, op, s, go_c.data_ptr(), in_c.data_ptr(), grad_weight.data_ptr(),
                     var);
  return grad_weight;
}

}  // namespace

Tensor conv2d(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias,
              const Shape& stride, const Shape& padding, const Shape& dilation, int64_t groups,
              const std::string& variant, const Shape& output_size) {
  return forward<Conv2d>(input, weight, bias, stride, padding, dilation, groups, variant,
                         output_size, "conv2d");
}

Tensor conv2d_backward_input(const Tensor& grad_output, const Tensor& weight,
                             const Shape& input_size, const Shape& stride, const Shape& padding,
                             const Shape& dilation, int64_t groups, const std::string& variant,
                             const Shape& output_size) {
  return backward_input<Conv2d>(grad_output, weight, input_size, stride, padding, dilation,
                                groups, variant, output_size, "conv2d_backward_input");
}

Tensor conv2d_backward_weight(const Tensor& grad_output, const Tensor& input,
                              const Shape& weight_size, const Shape& stride,
                              const Shape& padding, const Shape& dilation, int64_t groups,
                              const std::string& variant, const Shape& output_size) {
  return backward_weight<Conv2d>(grad_output, input, weight_size, stride, padding, dilation,
                                 groups, variant, output_size, "conv2d_backward_weight");
}

Tensor conv3d(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias,
              const Shape& stride, const Shape& padding, const Shape& dilation, int64_t groups,
              const std::string& variant, const Shape& output_size) {
  return forward<Conv3d>(input, weight, bias, stride, padding, dilation, groups, variant,
                         output_size, "conv3d");
}

Tensor conv3d_backward_input(const Tensor& grad_output, const Tensor& weight,
                             const Shape& input_size, const Shape& stride, const Shape& padding,
                             const Shape& dilation, int64_t groups, const std::string& variant,
                             const Shape& output_size) {
  return backward_input<Conv3d>(grad_output, weight, input_size, stride, padding, dilation,
                                groups, variant, output_size, "conv3d_backward_input");
}

Tensor conv3d_backward_weight(const Tensor& grad_output, const Tensor& input,
                              const Shape& weight_size, const Shape& stride,
                              const Shape& padding, const Shape& dilation, int64_t groups,
                              const std::string& variant, const Shape& output_size) {
  return backward_weight<Conv3d>(grad_output, input, weight_size, stride, padding, dilation,
                                 groups, variant, output_size, "conv3d_backward_weight");
}

}  // namespace ember::ops
