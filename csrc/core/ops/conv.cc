#include "ember/ops/conv.h"

#include <algorithm>

#include "core/device_dispatch.h"
#include "cpu/conv.h"
#include "cpu/conv_winograd.h"
#include "ember/error.h"
#include "ember/ops/copy.h"
#include "cuda/conv.h"

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
  if (name == "winograd") {
    EMBER_CHECK(on.device().is_cpu(), ValueError, op,
                ": variant 'winograd' runs on CPU only, got tensors on ", on.device());
    return ConvVariant::Winograd;
  }
  if (name == "blocked") {
    EMBER_CHECK(on.device().is_cpu(), ValueError, op,
                ": variant 'blocked' runs on the CPU only, got tensors on ", on.device());
    return ConvVariant::Blocked;
  }
  throw ValueError(detail::concat(op, ": unknown variant '", name,
                                  "'; expected 'naive', 'im2col', 'implicit_gemm', 'winograd', "
                                  "'blocked' or 'auto'"));
}

// The spatial values of axis quantity v (s.k, s.stride, ...) of a `dims`-axis layer.
Shape spatial(int dims, const int64_t (&v)[ConvShape::kDims]) {
  return Shape(v + ConvShape::kDims - dims, v + ConvShape::kDims);
}

// variant 'winograd' takes 2-D layers with a 3x3 kernel, stride 1 and dilation 1 only.
void check_variant_fits(ConvVariant variant, int dims, const ConvShape& s, const char* op) {
  EMBER_CHECK(variant != ConvVariant::Winograd || (dims == 2 && cpu::winograd_fits(s)),
              ValueError, op, ": variant 'winograd' needs a 2-D convolution with a 3x3 kernel, "
              "stride 1 and dilation 1, got kernel ", shape_str(spatial(dims, s.k)), ", stride ",
              shape_str(spatial(dims, s.stride)), ", dilation ",
              shape_str(spatial(dims, s.dil)));
}

// (n, c_out, the dims spatial output sizes).
Shape output_sizes(int dims, const ConvShape& s) {
  Shape sizes{s.n, s.c_out};
  for (int a = ConvShape::kDims - dims; a < ConvShape::kDims; ++a) sizes.push_back(s.out[a]);
  return sizes;
}

// The geometry of a convolution with `dims` spatial axes (1 to 3) of input_size and
// weight_size, every size checked; the leading axes of ConvShape a lower rank does not use are
// trivial (size 1, no padding). padding: dims values (both sides) or 2 * dims (front, back,
// top, bottom, left, right: the axes' pairs in order), which is how 'same' with an even kernel
// pads. output_size, when not empty, replaces the computed output size by one no larger: the
// outputs past it are dropped. That is how a transposed convolution with output_padding >=
// stride (allowed when dilation > output_padding) maps onto these kernels.
ConvShape conv_shape(int dims, const Shape& input_size, const Shape& weight_size,
                     const Shape& stride, const Shape& padding, const Shape& dilation,
                     int64_t groups, const Shape& output_size, const char* op) {
  static const char* const kAxes[] = {"", "L", "H, W", "D, H, W"};
  static const char* const kTaps[] = {"", "kL", "kH, kW", "kD, kH, kW"};
  const size_t n_dims = static_cast<size_t>(dims);
  EMBER_CHECK(input_size.size() == n_dims + 2, ValueError, op, ": expected a ", dims + 2,
              "-D input (N, C, ", kAxes[dims], "), got shape ", shape_str(input_size));
  EMBER_CHECK(weight_size.size() == n_dims + 2, ValueError, op, ": expected a ", dims + 2,
              "-D weight (C_out, C_in / groups, ", kTaps[dims], "), got shape ",
              shape_str(weight_size));
  const auto check_values = [&](const Shape& v, const char* what, int64_t min, bool sided) {
    EMBER_CHECK((v.size() == n_dims || (sided && v.size() == 2 * n_dims)) &&
                    *std::min_element(v.begin(), v.end()) >= min,
                ValueError, op, ": expected ", dims, sided ? " or " : "",
                sided ? std::to_string(2 * dims) : "", " values >= ", min, " for ", what,
                ", got ", shape_str(v));
  };
  check_values(stride, "stride", 1, false);
  check_values(dilation, "dilation", 1, false);
  check_values(padding, "padding", 0, true);
  EMBER_CHECK(groups >= 1, ValueError, op, ": groups must be >= 1, got ", groups);
  ConvShape s{};
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
  const bool both = padding.size() == 2 * n_dims;
  const int lead = ConvShape::kDims - dims;  // trivial leading axes
  for (int a = 0; a < ConvShape::kDims; ++a) {
    s.in[a] = s.k[a] = s.out[a] = s.stride[a] = s.dil[a] = 1;
    s.pad[a] = 0;
  }
  Shape padded(n_dims), span(n_dims);
  bool fits = true;
  for (int x = 0; x < dims; ++x) {
    const int a = lead + x;
    s.in[a] = input_size[2 + x];
    s.k[a] = weight_size[2 + x];
    s.stride[a] = stride[x];
    s.dil[a] = dilation[x];
    s.pad[a] = padding[both ? 2 * x : x];
    padded[x] = s.in[a] + s.pad[a] + padding[both ? 2 * x + 1 : x];
    span[x] = s.dil[a] * (s.k[a] - 1) + 1;
    fits = fits && span[x] <= padded[x];
    s.out[a] = (padded[x] - span[x]) / s.stride[a] + 1;
  }
  EMBER_CHECK(fits, ValueError, op, ": kernel of shape ", shape_str(weight_size),
              " (dilated extent ", shape_str(span), ") is larger than the padded input ",
              shape_str(padded), " of input shape ", shape_str(input_size));
  if (!output_size.empty()) {
    const Shape computed = output_sizes(dims, s);
    bool fits = output_size.size() == n_dims;
    for (int x = 0; fits && x < dims; ++x)
      fits = output_size[x] >= 1 && output_size[x] <= s.out[lead + x];
    EMBER_CHECK(fits, ValueError, op, ": output_size ", shape_str(output_size), " must be ",
                dims, " values in [1, ", shape_str(Shape(computed.begin() + 2, computed.end())),
                "] for input shape ", shape_str(input_size), " and weight shape ",
                shape_str(weight_size));
    for (int x = 0; x < dims; ++x) s.out[lead + x] = output_size[x];
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

void check_grad_output(int dims, const Tensor& grad_output, const ConvShape& s,
                       const char* op) {
  const Shape want = output_sizes(dims, s);
  EMBER_CHECK(grad_output.sizes() == want, ValueError, op, ": grad_output has shape ",
              shape_str(grad_output.sizes()), ", expected ", shape_str(want));
}

// The op bodies of conv1d/2d/3d, `dims` spatial axes.
Tensor forward(int dims, const Tensor& input, const Tensor& weight,
               const std::optional<Tensor>& bias, const Shape& stride, const Shape& padding,
               const Shape& dilation, int64_t groups, const std::string& variant,
               const Shape& output_size, const char* op) {
  const ConvVariant var = parse_variant(variant, input, op);
  const ConvShape s = conv_shape(dims, input.sizes(), weight.sizes(), stride, padding, dilation,
                                 groups, output_size, op);
  check_variant_fits(var, dims, s, op);
  check_operands(input, weight, "input", "weight", op);
  std::optional<Tensor> bias_c;
  if (bias) {
    EMBER_CHECK(bias->dim() == 1 && bias->sizes()[0] == s.c_out, ValueError, op,
                ": bias of shape ", shape_str(bias->sizes()), " does not fit weight of shape ",
                shape_str(weight.sizes()), ": expected (", s.c_out, ",)");
    check_operands(input, *bias, "input", "bias", op);
    bias_c = contiguous(*bias);
  }
  Tensor out = Tensor::empty(output_sizes(dims, s), input.dtype(), input.device());
  if (out.numel() == 0) return out;
  const Tensor in_c = contiguous(input), w_c = contiguous(weight);
  EMBER_KERNEL_ON(input, op, conv_forward, s, input.dtype(), in_c.data_ptr(), w_c.data_ptr(),
                  bias_c ? bias_c->data_ptr() : nullptr, out.data_ptr(), var);
  return out;
}

Tensor backward_input(int dims, const Tensor& grad_output, const Tensor& weight,
                      const Shape& input_size, const Shape& stride, const Shape& padding,
                      const Shape& dilation, int64_t groups, const std::string& variant,
                      const Shape& output_size, const char* op) {
  const ConvVariant var = parse_variant(variant, weight, op);
  const ConvShape s = conv_shape(dims, input_size, weight.sizes(), stride, padding, dilation,
                                 groups, output_size, op);
  check_variant_fits(var, dims, s, op);
  check_operands(grad_output, weight, "grad_output", "weight", op);
  check_grad_output(dims, grad_output, s, op);
  Tensor grad_input = Tensor::empty(input_size, weight.dtype(), weight.device());
  if (grad_input.numel() == 0) return grad_input;
  const Tensor go_c = contiguous(grad_output), w_c = contiguous(weight);
  EMBER_KERNEL_ON(weight, op, conv_backward_input, s, weight.dtype(), go_c.data_ptr(),
                  w_c.data_ptr(), grad_input.data_ptr(), var);
  return grad_input;
}

Tensor backward_weight(int dims, const Tensor& grad_output, const Tensor& input,
                       const Shape& weight_size, const Shape& stride, const Shape& padding,
                       const Shape& dilation, int64_t groups, const std::string& variant,
                       const Shape& output_size, const char* op) {
  const ConvVariant var = parse_variant(variant, input, op);
  const ConvShape s = conv_shape(dims, input.sizes(), weight_size, stride, padding, dilation,
                                 groups, output_size, op);
  check_variant_fits(var, dims, s, op);
  check_operands(grad_output, input, "grad_output", "input", op);
  check_grad_output(dims, grad_output, s, op);
  Tensor grad_weight = Tensor::empty(weight_size, input.dtype(), input.device());
  if (grad_weight.numel() == 0) return grad_weight;
  const Tensor go_c = contiguous(grad_output), in_c = contiguous(input);
  EMBER_KERNEL_ON(input, op, conv_backward_weight, s, input.dtype(), go_c.data_ptr(),
                  in_c.data_ptr(), grad_weight.data_ptr(), var);
  return grad_weight;
}

}  // namespace

// conv1d is conv2d over a unit row (the Python layer's); conv2d and conv3d are the op bodies
// above with 2 and 3 spatial axes.
#define EMBER_DEFINE_CONV_OPS(D)                                                                 \
  Tensor conv##D##d(const Tensor& input, const Tensor& weight,                                  \
                    const std::optional<Tensor>& bias, const Shape& stride,                     \
                    const Shape& padding, const Shape& dilation, int64_t groups,                \
                    const std::string& variant, const Shape& output_size) {                     \
    return forward(D, input, weight, bias, stride, padding, dilation, groups, variant,          \
                   output_size, "conv" #D "d");                                                 \
  }                                                                                             \
  Tensor conv##D##d_backward_input(const Tensor& grad_output, const Tensor& weight,             \
                                   const Shape& input_size, const Shape& stride,                \
                                   const Shape& padding, const Shape& dilation, int64_t groups, \
                                   const std::string& variant, const Shape& output_size) {      \
    return backward_input(D, grad_output, weight, input_size, stride, padding, dilation,        \
                          groups, variant, output_size, "conv" #D "d_backward_input");          \
  }                                                                                             \
  Tensor conv##D##d_backward_weight(const Tensor& grad_output, const Tensor& input,             \
                                    const Shape& weight_size, const Shape& stride,              \
                                    const Shape& padding, const Shape& dilation,                \
                                    int64_t groups, const std::string& variant,                 \
                                    const Shape& output_size) {                                 \
    return backward_weight(D, grad_output, input, weight_size, stride, padding, dilation,       \
                           groups, variant, output_size, "conv" #D "d_backward_weight");        \
  }

EMBER_DEFINE_CONV_OPS(2)
EMBER_DEFINE_CONV_OPS(3)
#undef EMBER_DEFINE_CONV_OPS

}  // namespace ember::ops
