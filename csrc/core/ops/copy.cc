#include "ember/ops/copy.h"

#include "core/tensor_iter.h"
#include "cpu/copy.h"
#include "ember/error.h"

namespace ember::ops {

void copy_(const Tensor& dst, const Tensor& src) {
  bool fits = src.dim() <= dst.dim();
  for (int64_t i = 1; fits && i <= src.dim(); ++i) {
    const int64_t s = src.sizes()[src.dim() - i];
    fits = s == 1 || s == dst.sizes()[dst.dim() - i];
  }
  EMBER_CHECK(fits, ValueError, "copy_: source of shape ", shape_str(src.sizes()),
              " cannot be broadcast to destination of shape ", shape_str(dst.sizes()));
  EMBER_CHECK(dst.device().is_cpu() && src.device().is_cpu(), RuntimeError,
              "copy_: device ", (dst.device().is_cpu() ? src.device() : dst.device()),
              " is not available");
  if (dst.numel() == 0) return;
  TensorIter iter(dst, {&src});
  cpu::copy_stub(iter, dst.dtype(), src.dtype());
}

Tensor clone(const Tensor& t) {
  Tensor out = Tensor::empty(t.sizes(), t.dtype(), t.device());
  copy_(out, t);
  return out;
}

Tensor contiguous(const Tensor& t) { return t.is_contiguous() ? t : clone(t); }

Tensor to_dtype(const Tensor& t, DType dtype) {
  if (t.dtype() == dtype) return t;
  Tensor out = Tensor::empty(t.sizes(), dtype, t.device());
  copy_(out, t);
  return out;
}

}  // namespace ember::ops
