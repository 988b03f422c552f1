#include "ember/ops/activation.h"

#include "core/device_dispatch.h"
#include "cpu/activation.h"
#include "cuda/activation.h"
#include "ember/error.h"
#include "ember/ops/copy.h"

namespace ember::ops {

const char* op_name(ActivationOp op) {
  switch (op) {
    case ActivationOp::Threshold: return "threshold";
    case ActivationOp::Hardtanh: return "hardtanh";
    case ActivationOp::LeakyRelu: return "leaky_relu";
    case ActivationOp::Elu: return "elu";
    case ActivationOp::Gelu: return "gelu";
    case ActivationOp::GeluTanh: return "gelu";
    case ActivationOp::Silu: return "silu";
    case ActivationOp::Mish: return "mish";
    case ActivationOp::Softplus: return "softplus";
    case ActivationOp::Softsign: return "softsign";
    case ActivationOp::Hardsigmoid: return "hardsigmoid";
    case ActivationOp::Hardswish: return "hardswish";
    case ActivationOp::Sigmoid: return "sigmoid";
    case ActivationOp::Tanh: return "tanh";
    case ActivationOp::LogSigmoid: return "log_sigmoid";
  }
  return "activation";
}

bool backward_uses_result(ActivationOp op) {
  return op == ActivationOp::Sigmoid || op == ActivationOp::Tanh;
}

namespace {

void check_floating(const char* op, const Tensor& t) {
  EMBER_CHECK(is_floating(t.dtype()), TypeError, op,
              ": expected a float32 or float64 tensor, got ", dtype_name(t.dtype()));
}

void check_like(const char* op, const Tensor& a, const char* a_name, const Tensor& b,
                const char* b_name) {
  EMBER_CHECK(a.sizes() == b.sizes(), ValueError, op, ": ", a_name, " of shape ",
              shape_str(a.sizes()), " doesn't match ", b_name, " of shape ", shape_str(b.sizes()));
  EMBER_CHECK(a.dtype() == b.dtype(), TypeError, op, ": ", a_name, " is ",
              dtype_name(a.dtype()), " but ", b_name, " is ", dtype_name(b.dtype()));
  EMBER_CHECK(a.device() == b.device(), ValueError, op, ": ", a_name, " and ", b_name,
              " are on different devices");
}

// x viewed as (outer, channels, inner) for a weight of `channels` entries on dim 1.
struct ChannelShape {
  int64_t outer, channels, inner;
};
ChannelShape prelu_shape(const Tensor& x, const Tensor& weight) {
  check_floating("prelu", x);
  EMBER_CHECK(weight.dim() <= 1, ValueError, "prelu: weight must be 0-d or 1-d, got shape ",
              shape_str(weight.sizes()));
  EMBER_CHECK(weight.dtype() == x.dtype(), TypeError, "prelu: weight is ",
              dtype_name(weight.dtype()), " but input is ", dtype_name(x.dtype()));
  EMBER_CHECK(weight.device() == x.device(), ValueError,
              "prelu: weight and input are on different devices");
  const int64_t channels = weight.numel();
  if (channels == 1) return {1, 1, x.numel()};
  // The channels are dim 1; an input of fewer dims has one channel, as in PyTorch.
  const int64_t dim = 1;
  EMBER_CHECK(x.dim() >= 2 && x.size(dim) == channels, ValueError,
              "prelu: weight of shape ", shape_str(weight.sizes()),
              " doesn't match the channels (dim 1) of input of shape ", shape_str(x.sizes()));
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < dim; ++d) outer *= x.size(d);
  for (int64_t d = dim + 1; d < x.dim(); ++d) inner *= x.size(d);
  return {outer, channels, inner};
}

}  // namespace

Tensor activation_forward(ActivationOp op, const Tensor& x, const ActivationParams& params,
                          bool in_place) {
  const char* name = op_name(op);
  check_floating(name, x);
  const Tensor in = contiguous(x);
  const Tensor out = in_place && x.is_contiguous() ? x : Tensor::empty(x.sizes(), x.dtype(), x.device());
  if (x.device().is_cuda())
    EMBER_ON_CUDA(name, cuda::activation_forward(op, params, x.dtype(), in.data_ptr(),
                                                 out.data_ptr(), x.numel()));
  else
    cpu::activation_forward_stub(op, params, x.dtype(), in.data_ptr(), out.data_ptr(), x.numel());
  if (in_place && !x.is_contiguous()) {
    copy_(x, out);
    return x;
  }
  return out;
}

Tensor activation_backward(ActivationOp op, const Tensor& grad_output, const Tensor& saved,
                           const ActivationParams& params) {
  const char* name = op_name(op);
  check_floating(name, saved);
  check_like(name, grad_output, "grad_output", saved, backward_uses_result(op) ? "result" : "input");
  const Tensor g = contiguous(grad_output), v = contiguous(saved);
  Tensor out = Tensor::empty(saved.sizes(), saved.dtype(), saved.device());
  if (saved.device().is_cuda())
    EMBER_ON_CUDA(name, cuda::activation_backward(op, params, saved.dtype(), g.data_ptr(),
                                                  v.data_ptr(), out.data_ptr(), saved.numel()));
  else
    cpu::activation_backward_stub(op, params, saved.dtype(), g.data_ptr(), v.data_ptr(),
                                  out.data_ptr(), saved.numel());
  return out;
}

Tensor prelu_forward(const Tensor& x, const Tensor& weight) {
  const ChannelShape s = prelu_shape(x, weight);
  const Tensor in = contiguous(x), w = contiguous(weight);
  Tensor out = Tensor::empty(x.sizes(), x.dtype(), x.device());
  if (x.device().is_cuda())
    EMBER_ON_CUDA("prelu", cuda::prelu_forward(x.dtype(), in.data_ptr(), w.data_ptr(),
                                               out.data_ptr(), s.outer, s.channels, s.inner));
  else
    cpu::prelu_forward_stub(x.dtype(), in.data_ptr(), w.data_ptr(), out.data_ptr(), s.outer,
                            s.channels, s.inner);
  return out;
}

std::pair<Tensor, Tensor> prelu_backward(const Tensor& grad_output, const Tensor& x,
                                         const Tensor& weight) {
  const ChannelShape s = prelu_shape(x, weight);
  check_like("prelu_backward", grad_output, "grad_output", x, "input");
  const Tensor g = contiguous(grad_output), in = contiguous(x), w = contiguous(weight);
  Tensor grad_input = Tensor::empty(x.sizes(), x.dtype(), x.device());
  Tensor grad_weight = Tensor::empty(weight.sizes(), weight.dtype(), weight.device());
  if (x.device().is_cuda())
    EMBER_ON_CUDA("prelu_backward",
                  cuda::prelu_backward(x.dtype(), g.data_ptr(), in.data_ptr(), w.data_ptr(),
                                       grad_input.data_ptr(), grad_weight.data_ptr(), s.outer,
                                       s.channels, s.inner));
  else
    cpu::prelu_backward_stub(x.dtype(), g.data_ptr(), in.data_ptr(), w.data_ptr(),
                             grad_input.data_ptr(), grad_weight.data_ptr(), s.outer, s.channels,
                             s.inner);
  return {grad_input, grad_weight};
}

}  // namespace ember::ops
