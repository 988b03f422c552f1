#include "ember/ops/dropout.h"

#include "core/device_dispatch.h"
#include "cpu/dropout.h"
#include "cuda/dropout.h"
#include "ember/error.h"
#include "ember/ops/copy.h"
#include "ember/random_draw.h"

namespace ember::ops {

std::pair<Tensor, Tensor> dropout(const Tensor& x, double p, Generator* gen) {
  EMBER_CHECK(is_floating(x.dtype()), TypeError, "dropout: expected a floating-point input, got ",
              x.dtype());
  EMBER_CHECK(p >= 0.0 && p <= 1.0, ValueError,
              "dropout probability has to be between 0 and 1, but got ", p);
  const Tensor src = contiguous(x);
  Tensor out = Tensor::empty(x.sizes(), x.dtype(), x.device());
  Tensor mask = Tensor::empty(x.sizes(), DType::Bool, x.device());
  const int64_t n = x.numel();
  if (n == 0) return {out, mask};
  Generator& g = gen ? *gen : default_generator();
  const Generator::Draw d =
      g.reserve(static_cast<uint64_t>((n + philox::kDraws32PerBlock - 1) / philox::kDraws32PerBlock));
  EMBER_KERNEL_ON(x, "dropout", dropout_kernel, src.data_ptr(), out.data_ptr(), mask.data<bool>(),
                  x.dtype(), n, d.seed, d.offset, p);
  return {out, mask};
}

Tensor dropout_backward(const Tensor& grad, const Tensor& mask, double scale) {
  EMBER_CHECK(is_floating(grad.dtype()), TypeError,
              "dropout_backward: expected a floating-point gradient, got ", grad.dtype());
  EMBER_CHECK(mask.dtype() == DType::Bool, TypeError,
              "dropout_backward: expected a bool mask, got ", mask.dtype());
  EMBER_CHECK(grad.sizes() == mask.sizes() && grad.device() == mask.device(), ValueError,
              "dropout_backward: gradient ", shape_str(grad.sizes()), " and mask ",
              shape_str(mask.sizes()),
              " must have one shape and device");
  const Tensor g = contiguous(grad), m = contiguous(mask);
  Tensor out = Tensor::empty(grad.sizes(), grad.dtype(), grad.device());
  EMBER_KERNEL_ON(grad, "dropout_backward", dropout_backward_kernel, g.data_ptr(),
                  m.data<bool>(), out.data_ptr(), grad.dtype(), grad.numel(), scale);
  return out;
}

}  // namespace ember::ops
