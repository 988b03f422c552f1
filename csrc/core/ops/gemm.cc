#include "ember/ops/gemm.h"

#include <utility>

#include "core/device_dispatch.h"
#include "cpu/gemm/gemm.h"
#include "ember/error.h"
#include "core/ops/matrix_view.h"
#include "ember/ops/copy.h"

#if EMBER_WITH_CUDA
#include "cuda/gemm.h"
#endif

namespace ember::ops {
namespace {

cpu::Activation parse_activation(const std::string& name) {
  if (name == "none") return cpu::Activation::None;
  if (name == "relu") return cpu::Activation::ReLU;
  if (name == "gelu") return cpu::Activation::GELU;
  if (name == "sigmoid") return cpu::Activation::Sigmoid;
  if (name == "tanh") return cpu::Activation::Tanh;
  throw ValueError("gemm: unknown activation '" + name +
                   "'; expected None, 'relu', 'gelu', 'sigmoid' or 'tanh'");
}

// The variant names of each device's ladder (backends/cpu.py and backends/cuda.py list them).
cpu::GemmVariant parse_cpu_variant(const std::string& name) {
  if (name == "naive") return cpu::GemmVariant::Naive;
  if (name == "blocked") return cpu::GemmVariant::Blocked;
  if (name == "packed") return cpu::GemmVariant::Packed;
  if (name == "auto") return cpu::GemmVariant::Auto;
  throw ValueError("gemm: unknown variant '" + name +
                   "'; expected 'naive', 'blocked', 'packed' or 'auto'");
}

#if EMBER_WITH_CUDA
cuda::GemmVariant parse_cuda_variant(const std::string& name) {
  if (name == "naive") return cuda::GemmVariant::Naive;
  if (name == "tiled") return cuda::GemmVariant::Tiled;
  if (name == "register") return cuda::GemmVariant::Register;
  if (name == "vectorized") return cuda::GemmVariant::Vectorized;
  if (name == "warp") return cuda::GemmVariant::WarpTiled;
  if (name == "auto") return cuda::GemmVariant::Auto;
  throw ValueError("gemm: unknown variant '" + name +
                   "' on CUDA; expected 'naive', 'tiled', 'register', 'vectorized', 'warp' or "
                   "'auto'");
}
#endif

// Whether the memory spans of two tensors intersect (conservative for interleaved views).
bool overlaps(const Tensor& x, const Tensor& y) {
  auto span = [](const Tensor& t) {
    int64_t extent = 1;
    for (int64_t d = 0; d < t.dim(); ++d) extent += (t.sizes()[d] - 1) * t.strides()[d];
    const char* lo = static_cast<const char*>(t.data_ptr());
    return std::make_pair(lo, lo + extent * static_cast<int64_t>(t.itemsize()));
  };
  if (x.numel() == 0 || y.numel() == 0) return false;
  const auto [xlo, xhi] = span(x);
  const auto [ylo, yhi] = span(y);
  return xlo < yhi && ylo < xhi;
}

std::string operand_str(const Tensor& t, bool trans) {
  return shape_str(t.sizes()) + (trans ? ".T" : "");
}

template <class T>
void run(cpu::GemmArgs<T> g, const MatrixView& a, const MatrixView& b, const Tensor& c,
         int64_t ldc, bool c_transposed, const std::optional<Tensor>& bias, bool bias_on_rows,
         const std::string& variant) {
  g.a = a.storage.data<T>();
  g.lda = a.ld;
  g.b = b.storage.data<T>();
  g.ldb = b.ld;
  g.c = c.data<T>();
  g.ldc = ldc;
  if (bias) g.epilogue.bias = bias->data<T>();
  g.epilogue.bias_kind = !bias ? cpu::BiasKind::None
                         : bias_on_rows ? cpu::BiasKind::Row : cpu::BiasKind::Column;
  if (c_transposed) {
    // C^T = op(B)^T @ op(A)^T fills a column-major C in place, its bias on the other axis.
    std::swap(g.a, g.b);
    std::swap(g.lda, g.ldb);
    std::swap(g.m, g.n);
    const bool ta = g.trans_a;
    g.trans_a = !g.trans_b;
    g.trans_b = !ta;
    if (bias) g.epilogue.bias_kind = bias_on_rows ? cpu::BiasKind::Column : cpu::BiasKind::Row;
  }
  if (c.device().is_cuda())
    EMBER_ON_CUDA("gemm", cuda::gemm(g, cuda::GemmBatch{}, parse_cuda_variant(variant)));
  else
    cpu::gemm(g, parse_cpu_variant(variant));
}

}  // namespace

Tensor gemm(const Tensor& a, const Tensor& b, const std::optional<Tensor>& out, bool trans_a,
            bool trans_b, double alpha, double beta, const std::optional<Tensor>& bias,
            int64_t bias_dim, const std::string& activation, const std::string& variant) {
  EMBER_CHECK(a.dim() == 2 && b.dim() == 2, ValueError,
              "gemm: expected two 2-D matrices, got shapes ", shape_str(a.sizes()), " and ",
              shape_str(b.sizes()));
  EMBER_CHECK(a.dtype() == b.dtype() && is_floating(a.dtype()), TypeError,
              "gemm: expected float32 or float64 matrices of one dtype, got ", a.dtype(), " and ",
              b.dtype());
  EMBER_CHECK(a.device() == b.device(), RuntimeError,
              "gemm: expected a and b on one device, got ", a.device(), " and ", b.device());
  const int64_t m = a.sizes()[trans_a ? 1 : 0], k = a.sizes()[trans_a ? 0 : 1];
  const int64_t kb = b.sizes()[trans_b ? 1 : 0], n = b.sizes()[trans_b ? 0 : 1];
  EMBER_CHECK(k == kb, ValueError, "gemm: shapes ", operand_str(a, trans_a), " and ",
              operand_str(b, trans_b), " cannot be multiplied (", k, " != ", kb, ")");
  const cpu::Activation act = parse_activation(activation);
  if (a.device().is_cpu()) parse_cpu_variant(variant);  // bad names fail before any work
#if EMBER_WITH_CUDA
  else parse_cuda_variant(variant);
#endif

  std::optional<Tensor> bias_c;
  bool bias_on_rows = true;
  if (bias) {
    const int64_t dim = wrap_dim(bias_dim, 2, "gemm");
    bias_on_rows = dim == 1;
    const int64_t want = bias_on_rows ? n : m;
    EMBER_CHECK(bias->dim() == 1 && bias->sizes()[0] == want, ValueError, "gemm: bias of shape ",
                shape_str(bias->sizes()), " does not fit dim ", dim, " of the output (", m, ", ",
                n, "): expected (", want, ",)");
    EMBER_CHECK(bias->dtype() == a.dtype(), TypeError, "gemm: bias has dtype ", bias->dtype(),
                ", expected ", a.dtype());
    EMBER_CHECK(bias->device() == a.device(), RuntimeError, "gemm: expected bias on ",
                a.device(), ", got ", bias->device());
    bias_c = contiguous(*bias);
  }

  Tensor c;
  if (out) {
    c = *out;
    EMBER_CHECK(c.dim() == 2 && c.sizes()[0] == m && c.sizes()[1] == n, ValueError,
                "gemm: out has shape ", shape_str(c.sizes()), ", expected (", m, ", ", n,
                ") for ", operand_str(a, trans_a), " @ ", operand_str(b, trans_b));
    EMBER_CHECK(c.dtype() == a.dtype(), TypeError, "gemm: out has dtype ", c.dtype(),
                ", expected ", a.dtype());
    EMBER_CHECK(c.device() == a.device(), RuntimeError, "gemm: expected out on ", a.device(),
                ", got ", c.device());
    EMBER_CHECK(!overlaps(c, a) && !overlaps(c, b) && !(bias && overlaps(c, *bias)), ValueError,
                "gemm: out must not share memory with a, b or bias");
    EMBER_CHECK((m <= 1 || c.strides()[0] != 0) && (n <= 1 || c.strides()[1] != 0), ValueError,
                "gemm: out of shape ", shape_str(c.sizes()), " has overlapping (stride 0) rows or "
                "columns");
  } else {
    EMBER_CHECK(beta == 0.0, ValueError, "gemm: beta=", beta,
                " scales the output, so it needs an out tensor");
    c = Tensor::empty({m, n}, a.dtype(), a.device());
  }
  if (m == 0 || n == 0) return c;

  // An output with no unit stride comes back as a contiguous copy: filled, then copied back.
  const MatrixView av = matrix_view(a), bv = matrix_view(b), cv = matrix_view(c);
  const bool staged = cv.storage.data_ptr() != c.data_ptr();
  EMBER_DISPATCH_FLOATING(a.dtype(), "gemm", [&] {
    cpu::GemmArgs<scalar_t> g;
    g.trans_a = trans_a != av.transposed;
    g.trans_b = trans_b != bv.transposed;
    g.m = m;
    g.n = n;
    g.k = k;
    g.alpha = static_cast<scalar_t>(alpha);
    g.beta = static_cast<scalar_t>(beta);
    g.epilogue.activation = act;
    run(g, av, bv, cv.storage, cv.ld, cv.transposed, bias_c, bias_on_rows, variant);
  });
  if (staged) copy_(c, cv.storage);
  return c;
}

}  // namespace ember::ops
