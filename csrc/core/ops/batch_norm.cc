#include "ember/ops/batch_norm.h"

#include "core/device_dispatch.h"
#include "cpu/batch_norm.h"
#include "cuda/batch_norm.h"
#include "ember/error.h"
#include "ember/ops/copy.h"

namespace ember::ops {
namespace {

struct Layout {
  int64_t N, C, L;
};

Layout layout_of(const Tensor& x, const char* op) {
  EMBER_CHECK(is_floating(x.dtype()), TypeError, op, ": expected a floating-point input, got ",
              x.dtype());
  EMBER_CHECK(x.dim() >= 2, ValueError, op, ": expected an input of at least 2 dims (N, C, *), "
              "got shape ", shape_str(x.sizes()));
  const int64_t N = x.size(0), C = x.size(1);
  return {N, C, N * C == 0 ? 0 : x.numel() / (N * C)};
}

// A per-channel tensor as C contiguous values of dtype on x's device, or null.
const void* channel_ptr(const std::optional<Tensor>& t, const Tensor& x, int64_t C, DType dtype,
                        const char* op, const char* name, Tensor& keep) {
  if (!t) return nullptr;
  EMBER_CHECK(t->numel() == C && t->device() == x.device(), ValueError, op, ": ", name,
              " of shape ", shape_str(t->sizes()), " must hold ", C,
              " values (one per channel) on the input's device");
  EMBER_CHECK(is_floating(t->dtype()), TypeError, op, ": ", name, " must be floating-point");
  keep = contiguous(to_dtype(*t, dtype));
  return keep.data_ptr();
}

}  // namespace

std::tuple<Tensor, Tensor, Tensor> batch_norm(const Tensor& x,
                                              const std::optional<Tensor>& weight,
                                              const std::optional<Tensor>& bias,
                                              const std::optional<Tensor>& running_mean,
                                              const std::optional<Tensor>& running_var,
                                              bool training, double eps) {
  const Layout s = layout_of(x, "batch_norm");
  EMBER_CHECK(!training || s.N * s.L > 0, ValueError,
              "batch_norm: training needs at least one value per channel, got input of shape ",
              shape_str(x.sizes()));
  EMBER_CHECK(training || (running_mean && running_var), ValueError,
              "batch_norm: running_mean and running_var are required when not training");
  EMBER_CHECK(!weight || weight->dtype() == x.dtype(), TypeError,
              "batch_norm: weight must have the input's dtype");
  EMBER_CHECK(!bias || bias->dtype() == x.dtype(), TypeError,
              "batch_norm: bias must have the input's dtype");
  Tensor w, b, m, v;
  const void* wp = channel_ptr(weight, x, s.C, x.dtype(), "batch_norm", "weight", w);
  const void* bp = channel_ptr(bias, x, s.C, x.dtype(), "batch_norm", "bias", b);
  Tensor mean, var;
  if (training) {
    mean = Tensor::empty({s.C}, DType::Float64, x.device());
    var = Tensor::empty({s.C}, DType::Float64, x.device());
  } else {  // fresh float64 copies: the caller's running statistics stay untouched
    channel_ptr(running_mean, x, s.C, DType::Float64, "batch_norm", "running_mean", m);
    channel_ptr(running_var, x, s.C, DType::Float64, "batch_norm", "running_var", v);
    mean = m.dtype() == running_mean->dtype() ? clone(m) : m;
    var = v.dtype() == running_var->dtype() ? clone(v) : v;
  }
  const Tensor src = contiguous(x);
  Tensor y = Tensor::empty(x.sizes(), x.dtype(), x.device());
  if (x.numel() > 0)
    EMBER_KERNEL_ON(x, "batch_norm", batch_norm_kernel, src.data_ptr(), wp, bp, y.data_ptr(),
                    mean.data<double>(), var.data<double>(), training, x.dtype(), s.N, s.C, s.L,
                    eps);
  return {y, mean, var};
}

std::tuple<std::optional<Tensor>, std::optional<Tensor>, std::optional<Tensor>>
batch_norm_backward(const Tensor& grad, const Tensor& x, const Tensor& mean, const Tensor& var,
                    const std::optional<Tensor>& weight, bool training, double eps,
                    bool need_input, bool need_weight, bool need_bias) {
  const Layout s = layout_of(x, "batch_norm_backward");
  EMBER_CHECK(grad.sizes() == x.sizes() && grad.dtype() == x.dtype() &&
                  grad.device() == x.device(),
              ValueError, "batch_norm_backward: gradient of shape ", shape_str(grad.sizes()),
              " does not match input of shape ", shape_str(x.sizes()));
  EMBER_CHECK(mean.numel() == s.C && var.numel() == s.C && mean.dtype() == DType::Float64 &&
                  var.dtype() == DType::Float64,
              ValueError, "batch_norm_backward: mean and var must be ", s.C, " float64 values");
  EMBER_CHECK(!weight || weight->dtype() == x.dtype(), TypeError,
              "batch_norm_backward: weight must have the input's dtype");
  Tensor w;
  const void* wp = channel_ptr(weight, x, s.C, x.dtype(), "batch_norm_backward", "weight", w);
  const Tensor g = contiguous(grad), src = contiguous(x);
  const Tensor m = contiguous(mean), v = contiguous(var);
  std::optional<Tensor> dx, dw, db;
  if (need_input) dx = Tensor::empty(x.sizes(), x.dtype(), x.device());
  if (need_weight || need_bias) {
    dw = Tensor::empty({s.C}, x.dtype(), x.device());
    db = Tensor::empty({s.C}, x.dtype(), x.device());
  }
  if ((dx && x.numel() > 0) || dw)
    EMBER_KERNEL_ON(x, "batch_norm_backward", batch_norm_backward_kernel, g.data_ptr(),
                    src.data_ptr(), m.data<double>(), v.data<double>(), wp,
                    dx ? dx->data_ptr() : nullptr, dw ? dw->data_ptr() : nullptr,
                    db ? db->data_ptr() : nullptr, training, x.dtype(), s.N, s.C, s.L, eps);
  if (!need_weight) dw.reset();
  if (!need_bias) db.reset();
  return {dx, dw, db};
}

}  // namespace ember::ops
