#include "ember/ops/group_norm.h"

#include "core/device_dispatch.h"
#include "cpu/group_norm.h"
#include "cuda/group_norm.h"
#include "ember/error.h"
#include "ember/ops/copy.h"
#include "ember/ops/creation.h"

namespace ember::ops {
namespace {

struct Layout {
  int64_t N, C, L;
};

Layout layout_of(const Tensor& x, int64_t G, const char* op) {
  EMBER_CHECK(is_floating(x.dtype()), TypeError, op, ": expected a floating-point input, got ",
              x.dtype());
  EMBER_CHECK(x.dim() >= 2, ValueError, op, ": expected an input of at least 2 dims (N, C, *), "
              "got shape ", shape_str(x.sizes()));
  const int64_t N = x.size(0), C = x.size(1);
  EMBER_CHECK(G > 0 && C % G == 0, ValueError, op, ": num_groups=", G,
              " must be positive and divide the ", C, " channels of input of shape ",
              shape_str(x.sizes()));
  return {N, C, N * C == 0 ? 0 : x.numel() / (N * C)};
}

// weight or bias as C contiguous values of x's dtype on x's device, or null.
const void* channel_ptr(const std::optional<Tensor>& t, const Tensor& x, int64_t C,
                        const char* op, const char* name, Tensor& keep) {
  if (!t) return nullptr;
  EMBER_CHECK(t->numel() == C && t->device() == x.device() && t->dtype() == x.dtype(),
              ValueError, op, ": ", name, " of shape ", shape_str(t->sizes()), " must hold ", C,
              " values (one per channel) of the input's dtype, on its device");
  keep = contiguous(*t);
  return keep.data_ptr();
}

}  // namespace

std::tuple<Tensor, Tensor, Tensor> group_norm(const Tensor& x,
                                              const std::optional<Tensor>& weight,
                                              const std::optional<Tensor>& bias,
                                              int64_t num_groups, double eps) {
  const Layout s = layout_of(x, num_groups, "group_norm");
  Tensor w, b;
  const void* wp = channel_ptr(weight, x, s.C, "group_norm", "weight", w);
  const void* bp = channel_ptr(bias, x, s.C, "group_norm", "bias", b);
  Tensor mean = Tensor::empty({s.N, num_groups}, DType::Float64, x.device());
  Tensor rstd = Tensor::empty({s.N, num_groups}, DType::Float64, x.device());
  const Tensor src = contiguous(x);
  Tensor y = Tensor::empty(x.sizes(), x.dtype(), x.device());
  if (x.numel() == 0) {  // empty groups: statistics of nothing, read only by the backward
    fill_(mean, 0.0);
    fill_(rstd, 0.0);
  } else {
    EMBER_KERNEL_ON(x, "group_norm", group_norm_kernel, src.data_ptr(), wp, bp, y.data_ptr(),
                    mean.data<double>(), rstd.data<double>(), x.dtype(), s.N, s.C, s.L,
                    num_groups, eps);
  }
  return {y, mean, rstd};
}

std::tuple<std::optional<Tensor>, std::optional<Tensor>, std::optional<Tensor>>
group_norm_backward(const Tensor& grad, const Tensor& x, const Tensor& mean, const Tensor& rstd,
                    const std::optional<Tensor>& weight, int64_t num_groups, bool need_input,
                    bool need_weight, bool need_bias) {
  const Layout s = layout_of(x, num_groups, "group_norm_backward");
  EMBER_CHECK(grad.sizes() == x.sizes() && grad.dtype() == x.dtype() &&
                  grad.device() == x.device(),
              ValueError, "group_norm_backward: gradient of shape ", shape_str(grad.sizes()),
              " does not match input of shape ", shape_str(x.sizes()));
  EMBER_CHECK(mean.numel() == s.N * num_groups && rstd.numel() == s.N * num_groups &&
                  mean.dtype() == DType::Float64 && rstd.dtype() == DType::Float64 &&
                  mean.device() == x.device() && rstd.device() == x.device(),
              ValueError, "group_norm_backward: mean and rstd must be ", s.N * num_groups,
              " float64 values on the input's device");
  Tensor w;
  const void* wp = channel_ptr(weight, x, s.C, "group_norm_backward", "weight", w);
  const Tensor g = contiguous(grad), src = contiguous(x);
  const Tensor m = contiguous(mean), r = contiguous(rstd);
  std::optional<Tensor> dx, dw, db;
  if (need_input) dx = Tensor::empty(x.sizes(), x.dtype(), x.device());
  if (need_weight) dw = Tensor::empty({s.C}, x.dtype(), x.device());
  if (need_bias) db = Tensor::empty({s.C}, x.dtype(), x.device());
  Tensor sums = Tensor::empty({2, s.N, s.C}, DType::Float64, x.device());
  if (s.N > 0 && s.C > 0 && (dx || dw || db)) {
    EMBER_KERNEL_ON(x, "group_norm_backward", group_norm_backward_kernel, g.data_ptr(),
                    src.data_ptr(), m.data<double>(), r.data<double>(), wp,
                    dx ? dx->data_ptr() : nullptr, dw ? dw->data_ptr() : nullptr,
                    db ? db->data_ptr() : nullptr, sums.data<double>(), x.dtype(), s.N, s.C, s.L,
                    num_groups);
  } else {  // no samples: the parameter gradients are sums over nothing
    if (dw) fill_(*dw, 0.0);
    if (db) fill_(*db, 0.0);
  }
  return {dx, dw, db};
}

}  // namespace ember::ops
