#include "ember/ops/copy.h"

#include "core/device_dispatch.h"
#include "core/tensor_iter.h"
#include "cpu/copy.h"
#include "cuda/copy.h"
#include "cuda/device.h"
#include "ember/error.h"

namespace ember::ops {
namespace {

void copy_on_device(const Tensor& dst, const Tensor& src) {
  TensorIter iter(dst, {&src});
  if (dst.device().is_cuda()) {
    EMBER_ON_CUDA("copy_", cuda::copy(iter, dst.dtype(), src.dtype()));
  } else {
    cpu::copy_stub(iter, dst.dtype(), src.dtype());
  }
}

// Moves bytes between devices: dst and src contiguous, of one shape and dtype.
void transfer(const Tensor& dst, const Tensor& src) {
  EMBER_ON_CUDA("copy_", {
    const cuda::CopyKind kind = src.device().is_cpu()   ? cuda::CopyKind::HostToDevice
                                : dst.device().is_cpu() ? cuda::CopyKind::DeviceToHost
                                                        : cuda::CopyKind::DeviceToDevice;
    const int device = dst.device().is_cuda() ? dst.device().index : src.device().index;
    cuda::memcpy(dst.data_ptr(), src.data_ptr(), dst.nbytes(), kind, device);
  });
}

}  // namespace

void copy_(const Tensor& dst, const Tensor& src) {
  bool fits = src.dim() <= dst.dim();
  for (int64_t i = 1; fits && i <= src.dim(); ++i) {
    const int64_t s = src.sizes()[src.dim() - i];
    fits = s == 1 || s == dst.sizes()[dst.dim() - i];
  }
  EMBER_CHECK(fits, ValueError, "copy_: source of shape ", shape_str(src.sizes()),
              " cannot be broadcast to destination of shape ", shape_str(dst.sizes()));
  if (dst.numel() == 0) return;
  if (dst.device() == src.device()) {
    copy_on_device(dst, src);
  } else if (dst.is_contiguous() && src.is_contiguous() && dst.dtype() == src.dtype() &&
             dst.sizes() == src.sizes()) {
    transfer(dst, src);
  } else {
    // Lay src out contiguously where it is, move the block, then convert and broadcast there.
    const Tensor staged = contiguous(src);
    const Tensor moved = Tensor::empty(src.sizes(), src.dtype(), dst.device());
    transfer(moved, staged);
    copy_on_device(dst, moved);
  }
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

Tensor to_device(const Tensor& t, Device device) {
  if (t.device() == device) return t;
  Tensor out = Tensor::empty(t.sizes(), t.dtype(), device);
  copy_(out, t);
  return out;
}

}  // namespace ember::ops
