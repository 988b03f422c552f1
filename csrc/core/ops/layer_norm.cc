#include "ember/ops/layer_norm.h"

#include "core/device_dispatch.h"
#include "cpu/layer_norm.h"
#include "cuda/layer_norm.h"
#include "ember/error.h"
#include "ember/ops/copy.h"

namespace ember::ops {
namespace {

int64_t rows_of(const Tensor& x, int64_t n, const char* op) {
  EMBER_CHECK(is_floating(x.dtype()), TypeError, op, ": expected a floating-point input, got ",
              x.dtype());
  EMBER_CHECK(n > 0 && x.numel() % n == 0, ValueError, op, ": input of shape ",
              shape_str(x.sizes()), " does not hold whole rows of ", n, " normalized elements");
  return x.numel() / n;
}

// A parameter as n contiguous elements like x, or null.
const void* param_ptr(const std::optional<Tensor>& p, const Tensor& x, int64_t n, const char* op,
                      const char* name, Tensor& keep) {
  if (!p) return nullptr;
  EMBER_CHECK(p->numel() == n, ValueError, op, ": ", name, " of shape ", shape_str(p->sizes()),
              " must hold ", n, " elements");
  EMBER_CHECK(p->dtype() == x.dtype() && p->device() == x.device(), ValueError, op, ": ", name,
              " must have the input's dtype and device");
  keep = contiguous(*p);
  return keep.data_ptr();
}

}  // namespace

std::tuple<Tensor, Tensor, Tensor> layer_norm(const Tensor& x, int64_t n,
                                              const std::optional<Tensor>& weight,
                                              const std::optional<Tensor>& bias, double eps) {
  const int64_t rows = rows_of(x, n, "layer_norm");
  Tensor w, b;
  const void* wp = param_ptr(weight, x, n, "layer_norm", "weight", w);
  const void* bp = param_ptr(bias, x, n, "layer_norm", "bias", b);
  const Tensor src = contiguous(x);
  Tensor y = Tensor::empty(x.sizes(), x.dtype(), x.device());
  Tensor mean = Tensor::empty({rows}, DType::Float64, x.device());
  Tensor rstd = Tensor::empty({rows}, DType::Float64, x.device());
  if (rows > 0)
    EMBER_KERNEL_ON(x, "layer_norm", layer_norm_kernel, src.data_ptr(), wp, bp, y.data_ptr(),
                    mean.data<double>(), rstd.data<double>(), x.dtype(), rows, n, eps);
  return {y, mean, rstd};
}

std::tuple<std::optional<Tensor>, std::optional<Tensor>, std::optional<Tensor>>
layer_norm_backward(const Tensor& grad, const Tensor& x, const Tensor& mean, const Tensor& rstd,
                    const std::optional<Tensor>& weight, int64_t n, bool need_input,
                    bool need_weight, bool need_bias) {
  const int64_t rows = rows_of(x, n, "layer_norm_backward");
  EMBER_CHECK(grad.sizes() == x.sizes() && grad.dtype() == x.dtype() &&
                  grad.device() == x.device(),
              ValueError, "layer_norm_backward: gradient of shape ", shape_str(grad.sizes()),
              " does not match input of shape ", shape_str(x.sizes()));
  EMBER_CHECK(mean.numel() == rows && rstd.numel() == rows && mean.dtype() == DType::Float64 &&
                  rstd.dtype() == DType::Float64,
              ValueError, "layer_norm_backward: mean and rstd must be ", rows, " float64 values");
  EMBER_CHECK(!(need_weight || need_bias) || weight, ValueError,
              "layer_norm_backward: parameter gradients need the weight");
  Tensor w;
  const void* wp = param_ptr(weight, x, n, "layer_norm_backward", "weight", w);
  const Tensor g = contiguous(grad), src = contiguous(x);
  const Tensor m = contiguous(mean), rs = contiguous(rstd);
  std::optional<Tensor> dx, dw, db;
  if (need_input) dx = Tensor::empty(x.sizes(), x.dtype(), x.device());
  if (need_weight || need_bias) {
    dw = Tensor::empty(weight->sizes(), x.dtype(), x.device());
    db = Tensor::empty(weight->sizes(), x.dtype(), x.device());
  }
  if (dx || dw)
    EMBER_KERNEL_ON(x, "layer_norm_backward", layer_norm_backward_kernel, g.data_ptr(),
                    src.data_ptr(), m.data<double>(), rs.data<double>(), wp,
                    dx ? dx->data_ptr() : nullptr, dw ? dw->data_ptr() : nullptr,
                    db ? db->data_ptr() : nullptr, x.dtype(), rows, n);
  if (!need_weight) dw.reset();
  if (!need_bias) db.reset();
  return {dx, dw, db};
}

}  // namespace ember::ops
