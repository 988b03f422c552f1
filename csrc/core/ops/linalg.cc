#include "ember/ops/linalg.h"

#include <vector>

#include "cpu/gemm/gemm.h"
#include "cpu/matmul.h"
#include "ember/error.h"
#include "ember/ops/copy.h"

namespace ember::ops {
namespace {

void check_operands(const Tensor& a, const Tensor& b, const char* op) {
  EMBER_CHECK(a.device().is_cpu() && b.device().is_cpu(), RuntimeError, op, ": device ",
              (a.device().is_cpu() ? b.device() : a.device()), " is not available");
  EMBER_CHECK(a.dtype() == b.dtype(), RuntimeError, op,
              ": expected both operands to have the same dtype, got ", a.dtype(), " and ",
              b.dtype());
  EMBER_CHECK(a.dtype() != DType::Bool, TypeError, op, ": unsupported dtype bool");
}

void check_ndim(const Tensor& a, const Tensor& b, int64_t na, int64_t nb, const char* op) {
  EMBER_CHECK(a.dim() == na && b.dim() == nb, RuntimeError, op, ": expected ", na, "-D and ", nb,
              "-D operands, got shapes ", shape_str(a.sizes()), " and ", shape_str(b.sizes()));
}

// Element offsets of each batch of contiguous t (batch dims first, matrix size `matrix`) when
// its batch dims are broadcast to `batch`.
std::vector<int64_t> batch_offsets(const Tensor& t, const Shape& batch, int64_t matrix) {
  const int64_t nb = static_cast<int64_t>(batch.size());
  const int64_t lead = nb - (t.dim() - 2);
  Shape strides(nb, 0);
  int64_t running = matrix;
  for (int64_t d = nb - 1; d >= lead; --d) {
    const int64_t size = t.size(d - lead);
    strides[d] = size == 1 ? 0 : running;
    running *= size;
  }
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
  Tensor out = Tensor::empty(out_shape, a.dtype(), a.device());
  if (out.numel() == 0) return out;
  const Tensor ac = contiguous(a), bc = contiguous(b);
  const std::vector<int64_t> a_off = batch_offsets(ac, batch, m * k);
  const std::vector<int64_t> b_off = batch_offsets(bc, batch, k * n);
  const int64_t batches = static_cast<int64_t>(a_off.size());
  if (is_floating(a.dtype())) {
    EMBER_DISPATCH_FLOATING(a.dtype(), op, [&] {
      cpu::GemmArgs<scalar_t> args;
      args.m = m, args.n = n, args.k = k;
      args.lda = k, args.ldb = n, args.ldc = n;
      for (int64_t i = 0; i < batches; ++i) {
        args.a = ac.data<scalar_t>() + a_off[i];
        args.b = bc.data<scalar_t>() + b_off[i];
        args.c = out.data<scalar_t>() + i * m * n;
        cpu::gemm(args);
      }
    });
  } else {
    cpu::matmul_stub(a.dtype(), ac.data_ptr(), a_off.data(), bc.data_ptr(), b_off.data(),
                     out.data_ptr(), batches, m, k, n);
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
