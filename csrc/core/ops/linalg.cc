#include "ember/ops/linalg.h"

#include <optional>
#include <vector>

#include "core/device_dispatch.h"
#include "cpu/gemm/gemm.h"
#include "cpu/matmul.h"
#include "ember/error.h"
#include "core/ops/matrix_view.h"
#include "ember/ops/copy.h"

#if EMBER_WITH_CUDA
#include "cuda/gemm.h"
#endif

namespace ember::ops {
namespace {

void check_operands(const Tensor& a, const Tensor& b, const char* op) {
  EMBER_CHECK(a.device() == b.device(), RuntimeError, op,
              ": expected both operands on one device, got ", a.device(), " and ", b.device());
  EMBER_CHECK(a.dtype() == b.dtype(), RuntimeError, op,
              ": expected both operands to have the same dtype, got ", a.dtype(), " and ",
              b.dtype());
  EMBER_CHECK(a.dtype() != DType::Bool, TypeError, op, ": unsupported dtype bool");
}

void check_ndim(const Tensor& a, const Tensor& b, int64_t na, int64_t nb, const char* op) {
  EMBER_CHECK(a.dim() == na && b.dim() == nb, RuntimeError, op, ": expected ", na, "-D and ", nb,
              "-D operands, got shapes ", shape_str(a.sizes()), " and ", shape_str(b.sizes()));
}

// Element offsets of each matrix of t when its batch dims (all but the last two) are broadcast
// to `batch`, from t's own strides.
std::vector<int64_t> batch_offsets(const Tensor& t, const Shape& batch) {
  const int64_t nb = static_cast<int64_t>(batch.size());
  const int64_t lead = nb - (t.dim() - 2);
  Shape strides(nb, 0);
  for (int64_t d = lead; d < nb; ++d)
    strides[d] = t.size(d - lead) == 1 ? 0 : t.stride(d - lead);
  std::vector<int64_t> offsets(std::max<int64_t>(numel_of(batch), 0));
  for (int64_t flat = 0; flat < static_cast<int64_t>(offsets.size()); ++flat) {
    int64_t rest = flat, off = 0;
    for (int64_t d = nb - 1; d >= 0; --d) {
      off += (rest % batch[d]) * strides[d];
      rest /= batch[d];
    }
    offsets[flat] = off;
  }
  return offsets;
}

// The common step of offsets when they form one (a strided batch).
std::optional<int64_t> common_stride(const std::vector<int64_t>& offsets) {
  if (offsets.size() < 2) return 0;
  const int64_t step = offsets[1] - offsets[0];
  for (size_t i = 2; i < offsets.size(); ++i)
    if (offsets[i] - offsets[i - 1] != step) return std::nullopt;
  return step;
}

// out[i] = a[i] @ b[i] for float matrices read through the GEMM kernels of out's device.
template <class T>
void gemm_batches(const MatrixView& a, const MatrixView& b, const Tensor& out,
                  const std::vector<int64_t>& a_off, const std::vector<int64_t>& b_off,
                  int64_t m, int64_t k, int64_t n) {
  cpu::GemmArgs<T> args;
  args.trans_a = a.transposed, args.trans_b = b.transposed;
  args.m = m, args.n = n, args.k = k;
  args.lda = a.ld, args.ldb = b.ld, args.ldc = std::max<int64_t>(n, 1);
  const int64_t batches = static_cast<int64_t>(a_off.size());
  if (out.device().is_cuda()) {
    EMBER_ON_CUDA("matmul", {
      // A strided batch is one launch; other broadcasts launch per matrix.
      const std::optional<int64_t> sa = common_stride(a_off), sb = common_stride(b_off);
      const bool strided = sa && sb;
      cuda::GemmBatch batch{strided ? batches : 1, sa.value_or(0), sb.value_or(0), m * n};
      for (int64_t i = 0; i < batches; i += batch.count) {
        args.a = a.storage.data<T>() + a_off[i];
        args.b = b.storage.data<T>() + b_off[i];
        args.c = out.data<T>() + i * m * n;
        cuda::gemm(args, batch, cuda::GemmVariant::Auto);
      }
    });
    return;
  }
  for (int64_t i = 0; i < batches; ++i) {
    args.a = a.storage.data<T>() + a_off[i];
    args.b = b.storage.data<T>() + b_off[i];
    args.c = out.data<T>() + i * m * n;
    cpu::gemm(args);
  }
}

// a (..., m, k) @ b (..., k, n), both at least 2-D, batch dims broadcast.
Tensor batched_matmul(const Tensor& a, const Tensor& b, const Tensor& a_orig,
                      const Tensor& b_orig, const char* op) {
  const int64_t m = a.size(-2), k = a.size(-1), n = b.size(-1);
  EMBER_CHECK(b.size(-2) == k, RuntimeError, op, ": shapes ", shape_str(a_orig.sizes()), " and ",
              shape_str(b_orig.sizes()), " cannot be multiplied (", k, " != ", b.size(-2), ")");
  const Shape a_batch(a.sizes().begin(), a.sizes().end() - 2);
  const Shape b_batch(b.sizes().begin(), b.sizes().end() - 2);
  Shape out_shape = broadcast_shapes(a_batch, b_batch, op);
  const Shape batch = out_shape;
  out_shape.push_back(m);
  out_shape.push_back(n);
  const bool floating = is_floating(a.dtype());
  if (a.device().is_cuda() && !floating) {
    // Integer products have no CUDA kernel: computed on the host, as exact there as anywhere.
    const Device cpu_device{DeviceType::CPU, 0};
    const Tensor host = batched_matmul(to_device(a, cpu_device), to_device(b, cpu_device),
                                       a_orig, b_orig, op);
    return to_device(host, a.device());
  }
  Tensor out = Tensor::empty(out_shape, a.dtype(), a.device());
  if (out.numel() == 0) return out;
  // Float matrices are read in place where their strides allow (matrix_view); the integer
  // kernel takes contiguous row-major ones.
  const MatrixView ao = floating ? matrix_view(a) : MatrixView{contiguous(a), k, false};
  const MatrixView bo = floating ? matrix_view(b) : MatrixView{contiguous(b), n, false};
  const std::vector<int64_t> a_off = batch_offsets(ao.storage, batch);
  const std::vector<int64_t> b_off = batch_offsets(bo.storage, batch);
  if (floating) {
    EMBER_DISPATCH_FLOATING(a.dtype(), op,
                            [&] { gemm_batches<scalar_t>(ao, bo, out, a_off, b_off, m, k, n); });
  } else {
    cpu::matmul_stub(a.dtype(), ao.storage.data_ptr(), a_off.data(), bo.storage.data_ptr(), b_off.data(),
                     out.data_ptr(), static_cast<int64_t>(a_off.size()), m, k, n);
  }
  return out;
}

// t with a size-1 dim inserted at position d (a view).
Tensor unsqueeze_view(const Tensor& t, int64_t d) {
  Shape sizes = t.sizes(), strides = t.strides();
  sizes.insert(sizes.begin() + d, 1);
  strides.insert(strides.begin() + d, 1);
  return t.as_strided(sizes, strides, t.storage_offset());
}

// Contiguous t without dim d (of size 1).
Tensor squeeze_view(const Tensor& t, int64_t d) {
  Shape sizes = t.sizes();
  sizes.erase(sizes.begin() + d);
  return t.as_strided(sizes, contiguous_strides(sizes), t.storage_offset());
}

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b) {
  check_operands(a, b, "matmul");
  EMBER_CHECK(a.dim() >= 1 && b.dim() >= 1, RuntimeError,
              "matmul: both operands need to be at least 1-D, got shapes ", shape_str(a.sizes()),
              " and ", shape_str(b.sizes()));
  const bool a_vec = a.dim() == 1, b_vec = b.dim() == 1;
  const Tensor a2 = a_vec ? unsqueeze_view(a, 0) : a;
  const Tensor b2 = b_vec ? unsqueeze_view(b, 1) : b;
  Tensor out = batched_matmul(a2, b2, a, b, "matmul");
  if (b_vec) out = squeeze_view(out, out.dim() - 1);
  if (a_vec) out = squeeze_view(out, out.dim() - 1 - (b_vec ? 0 : 1));
  return out;
}

Tensor mm(const Tensor& a, const Tensor& b) {
  check_operands(a, b, "mm");
  check_ndim(a, b, 2, 2, "mm");
  return batched_matmul(a, b, a, b, "mm");
}

Tensor bmm(const Tensor& a, const Tensor& b) {
  check_operands(a, b, "bmm");
  check_ndim(a, b, 3, 3, "bmm");
  EMBER_CHECK(a.size(0) == b.size(0), RuntimeError, "bmm: batch sizes of shapes ",
              shape_str(a.sizes()), " and ", shape_str(b.sizes()), " differ (", a.size(0),
              " != ", b.size(0), ")");
  return batched_matmul(a, b, a, b, "bmm");
}

Tensor dot(const Tensor& a, const Tensor& b) {
  check_operands(a, b, "dot");
  check_ndim(a, b, 1, 1, "dot");
  EMBER_CHECK(a.size(0) == b.size(0), RuntimeError, "dot: shapes ", shape_str(a.sizes()),
              " and ", shape_str(b.sizes()), " cannot be multiplied (", a.size(0), " != ",
              b.size(0), ")");
  return matmul(a, b);
}

Tensor mv(const Tensor& a, const Tensor& b) {
  check_operands(a, b, "mv");
  check_ndim(a, b, 2, 1, "mv");
  return squeeze_view(batched_matmul(a, unsqueeze_view(b, 1), a, b, "mv"), 1);
}

Tensor outer(const Tensor& a, const Tensor& b) {
  check_ndim(a, b, 1, 1, "outer");
  DType dtype = promote_types(a.dtype(), b.dtype());
  // PyTorch's outer is an elementwise product, so bool stays bool; compute those as uint8.
  const DType compute = dtype == DType::Bool ? DType::UInt8 : dtype;
  const Tensor ac = to_dtype(a, compute), bc = to_dtype(b, compute);
  check_operands(ac, bc, "outer");
  Tensor out = batched_matmul(unsqueeze_view(ac, 1), unsqueeze_view(bc, 0), a, b, "outer");
  return to_dtype(out, dtype);
}

}  // namespace ember::ops
