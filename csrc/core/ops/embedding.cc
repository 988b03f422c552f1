#include "ember/ops/embedding.h"

#include "core/device_dispatch.h"
#include "cpu/embedding.h"
#include "cuda/embedding.h"
#include "ember/error.h"
#include "ember/ops/copy.h"

namespace ember::ops {

Tensor embedding_backward(const Tensor& grad, const Tensor& indices, int64_t num_weights,
                          int64_t padding_idx) {
  EMBER_CHECK(is_floating(grad.dtype()), TypeError,
              "embedding_backward: expected a floating-point gradient, got ", grad.dtype());
  EMBER_CHECK(indices.dtype() == DType::Int64 || indices.dtype() == DType::Int32, TypeError,
              "embedding_backward: expected int64 or int32 indices, got ", indices.dtype());
  EMBER_CHECK(grad.device() == indices.device(), ValueError,
              "embedding_backward: gradient and indices must be on one device");
  EMBER_CHECK(num_weights >= 0, ValueError, "embedding_backward: num_weights must be >= 0, got ",
              num_weights);
  const int64_t n = indices.numel();
  const int64_t dim = grad.dim() == 0 ? 0 : grad.sizes().back();
  EMBER_CHECK(grad.dim() == indices.dim() + 1 && grad.numel() == n * dim, ValueError,
              "embedding_backward: gradient of shape ", shape_str(grad.sizes()),
              " does not match indices of shape ", shape_str(indices.sizes()));
  const Tensor idx = contiguous(to_dtype(indices, DType::Int64));
  {  // checked on the host: one transfer for a device's indices, and never a wild write
    const Tensor host = to_device(idx, Device{});
    const int64_t* v = host.data<int64_t>();
    for (int64_t i = 0; i < n; ++i)
      EMBER_CHECK(v[i] >= 0 && v[i] < num_weights, IndexError, "embedding_backward: index ", v[i],
                  " is out of range for ", num_weights, " embeddings");
  }
  const Tensor g = contiguous(grad);
  Tensor out = Tensor::empty({num_weights, dim}, grad.dtype(), grad.device());
  EMBER_KERNEL_ON(grad, "embedding_backward", embedding_backward_kernel, g.data_ptr(),
                  idx.data<int64_t>(), out.data_ptr(), grad.dtype(), n, dim, num_weights,
                  padding_idx);
  return out;
}

}  // namespace ember::ops
