#include "ember/ops/reduce.h"

#include <cmath>
#include <limits>

#include "core/device_dispatch.h"
#include "cpu/reduce.h"
#include "cuda/reduce.h"
#include "ember/error.h"
#include "ember/ops/copy.h"

namespace ember::ops {
namespace {

using cpu::ReduceKind;
using cpu::ReduceShape;

// Which dims are reduced: all of them for an empty list.
std::vector<bool> reduced_dims(const Tensor& t, const DimList& dims, const char* op) {
  const int64_t ndim = t.dim();
  std::vector<bool> mask(ndim, dims.empty());
  std::vector<bool> seen(std::max<int64_t>(ndim, 1), false);
  for (int64_t d : dims) {
    const int64_t w = wrap_dim(d, ndim, op);
    EMBER_CHECK(!seen[w], RuntimeError, op, ": dim ", w, " appears multiple times in the list of dims");
    seen[w] = true;
    if (ndim > 0) mask[w] = true;
  }
  return mask;
}

// The input as a contiguous (outer, reduce, inner) block and the shape of the result.
struct Layout {
  Tensor x;
  ReduceShape shape;
  Shape out_shape;
};

// tail_ok: the kernel takes a second reduced dim innermost (ReduceShape::tail).
Layout layout(const Tensor& t, const std::vector<bool>& reduced, bool keepdim,
              bool tail_ok = false) {
  Layout l;
  const int64_t ndim = t.dim();
  for (int64_t d = 0; d < ndim; ++d)
    if (!reduced[d] || keepdim) l.out_shape.push_back(reduced[d] ? 1 : t.size(d));

  // Runs of neighbouring dims that are all reduced or all kept (size-1 dims belong to neither).
  std::vector<std::pair<bool, int64_t>> runs;
  for (int64_t d = 0; d < ndim; ++d) {
    if (t.size(d) == 1) continue;
    if (!runs.empty() && runs.back().first == reduced[d]) runs.back().second *= t.size(d);
    else runs.emplace_back(reduced[d], t.size(d));
  }
  int64_t num_reduced_runs = 0;
  for (const auto& run : runs) num_reduced_runs += run.first;
  if (num_reduced_runs <= 1) {
    l.x = contiguous(t);
    bool after = false;
    for (const auto& [is_reduced, size] : runs) {
      if (is_reduced) l.shape.reduce = size, after = true;
      else (after ? l.shape.inner : l.shape.outer) *= size;
    }
    return l;
  }
  // [kept] reduced kept reduced, e.g. (N, C, H, W) -> (C,): read in place as
  // (outer, reduce, inner, tail).
  const size_t first = runs.empty() || runs[0].first ? 0 : 1;
  if (tail_ok && num_reduced_runs == 2 && runs.size() == first + 3 && runs.back().first) {
    l.x = contiguous(t);
    if (first) l.shape.outer = runs[0].second;
    l.shape.reduce = runs[first].second;
    l.shape.inner = runs[first + 1].second;
    l.shape.tail = runs[first + 2].second;
    return l;
  }
  // Reduced dims in several places: copy with the kept dims first, the reduced ones last.
  Shape sizes, strides;
  for (int pass = 0; pass < 2; ++pass)
    for (int64_t d = 0; d < ndim; ++d)
      if (reduced[d] == (pass == 1)) {
        sizes.push_back(t.size(d));
        strides.push_back(t.stride(d));
        (pass ? l.shape.reduce : l.shape.outer) *= t.size(d);
      }
  l.x = contiguous(t.as_strided(sizes, strides, t.storage_offset()));
  return l;
}

// The single-pass or two-pass reductions of reduce_stub (cuda::reduce for a CUDA tensor: one
// layout decision for both backends, split reduced dims read in place by both); aux receives the
// mean for Var/Std.
Tensor reduce(const Tensor& t, const DimList& dims, bool keepdim, ReduceKind kind, DType out_dtype,
              const char* op, double param = 0.0, Tensor* aux = nullptr) {
  const Layout l = layout(t, reduced_dims(t, dims, op), keepdim, true);
  Tensor out = Tensor::empty(l.out_shape, out_dtype, t.device());
  const bool needs_aux = kind == ReduceKind::Var || kind == ReduceKind::Std ||
                         kind == ReduceKind::LogSumExp;
  Tensor scratch = needs_aux ? Tensor::empty(l.out_shape, t.dtype(), t.device()) : Tensor();
  void* aux_data = needs_aux ? scratch.data_ptr() : nullptr;
  if (t.device().is_cuda())
    EMBER_ON_CUDA(op, cuda::reduce(kind, t.dtype(), l.x.data_ptr(), out.data_ptr(), aux_data,
                                   l.shape, param));
  else
    cpu::reduce_stub(kind, t.dtype(), l.x.data_ptr(), out.data_ptr(), aux_data, l.shape, param);
  if (aux) *aux = scratch;
  return out;
}

DType accumulate_dtype(DType t) { return is_floating(t) ? t : DType::Int64; }

void check_floating(const Tensor& t, const char* op) {
  EMBER_CHECK(is_floating(t.dtype()), RuntimeError, op,
              ": expected a floating-point input, got ", t.dtype(),
              " (convert it with .float() or pass dtype=)");
}

// Like PyTorch, max/min/argmax have no value to give for an empty reduction.
void check_nonempty(const Tensor& t, const std::vector<bool>& reduced, bool all_dims,
                    const char* op, bool index_error = false) {
  if (all_dims) {
    if (t.numel() > 0) return;
    const std::string message = detail::concat(op, ": expected a non-empty input to reduce over "
                                               "all dims, got shape ", shape_str(t.sizes()),
                                               "; specify the dim");
    if (index_error) throw IndexError(message);
    throw RuntimeError(message);
  }
  for (int64_t d = 0; d < t.dim(); ++d)
    EMBER_CHECK(!reduced[d] || t.size(d) > 0, IndexError, op, ": expected reduction dim ", d,
                " to have non-zero size (input shape ", shape_str(t.sizes()), ")");
}

Tensor sum_like(const Tensor& t, const DimList& dims, bool keepdim, std::optional<DType> dtype,
                ReduceKind kind, const char* op) {
  const Tensor x = dtype ? to_dtype(t, *dtype) : t;
  Tensor out = reduce(x, dims, keepdim, kind, accumulate_dtype(x.dtype()), op);
  return dtype ? to_dtype(out, *dtype) : out;
}

Tensor extreme(const Tensor& t, const DimList& dims, bool keepdim, ReduceKind kind,
               const char* op) {
  check_nonempty(t, reduced_dims(t, dims, op), dims.empty(), op);
  return reduce(t, dims, keepdim, kind, t.dtype(), op);
}

std::pair<Tensor, Tensor> variance(const Tensor& t, const DimList& dims, double correction,
                                   bool keepdim, bool take_sqrt, const char* op) {
  check_floating(t, op);
  Tensor mean;
  Tensor v = reduce(t, dims, keepdim, take_sqrt ? ReduceKind::Std : ReduceKind::Var, t.dtype(),
                    op, correction, &mean);
  return {v, mean};
}

// Values (optional) and indices of the max or min along dim, or over everything.
std::pair<Tensor, Tensor> arg_extreme(const Tensor& t, std::optional<int64_t> dim, bool keepdim,
                                      bool is_max, bool with_values, const char* op) {
  const DimList dims = dim ? DimList{*dim} : DimList{};
  const std::vector<bool> reduced = reduced_dims(t, dims, op);
  // PyTorch raises IndexError for argmax/argmin of an empty tensor, RuntimeError for max/min.
  check_nonempty(t, reduced, !dim, op, !with_values);
  const Layout l = layout(t, reduced, keepdim);
  Tensor values = with_values ? Tensor::empty(l.out_shape, t.dtype(), t.device()) : Tensor();
  Tensor indices = Tensor::empty(l.out_shape, DType::Int64, t.device());
  void* values_data = with_values ? values.data_ptr() : nullptr;
  if (indices.numel() > 0) {
    if (t.device().is_cuda())
      EMBER_ON_CUDA(op, cuda::arg_reduce(is_max, t.dtype(), l.x.data_ptr(), values_data,
                                         indices.data<int64_t>(), l.shape));
    else
      cpu::arg_reduce_stub(is_max, t.dtype(), l.x.data_ptr(), values_data,
                           indices.data<int64_t>(), l.shape);
  }
  return {values, indices};
}

Tensor scan(const Tensor& t, int64_t dim, std::optional<DType> dtype, bool is_prod,
            const char* op) {
  const int64_t d = wrap_dim(dim, t.dim(), op);
  const Tensor x = contiguous(dtype ? to_dtype(t, *dtype) : t);
  Tensor out = Tensor::empty(t.sizes(), accumulate_dtype(x.dtype()), t.device());
  ReduceShape s;
  for (int64_t k = 0; k < t.dim(); ++k)
    (k < d ? s.outer : k == d ? s.reduce : s.inner) *= t.size(k);
  if (out.numel() > 0) {
    if (t.device().is_cuda())
      EMBER_ON_CUDA(op, cuda::scan(is_prod, x.dtype(), x.data_ptr(), out.data_ptr(), s));
    else
      cpu::scan_stub(is_prod, x.dtype(), x.data_ptr(), out.data_ptr(), s);
  }
  return dtype ? to_dtype(out, *dtype) : out;
}

}  // namespace

Tensor sum(const Tensor& t, const DimList& dims, bool keepdim, std::optional<DType> dtype) {
  return sum_like(t, dims, keepdim, dtype, ReduceKind::Sum, "sum");
}

Tensor prod(const Tensor& t, const DimList& dims, bool keepdim, std::optional<DType> dtype) {
  return sum_like(t, dims, keepdim, dtype, ReduceKind::Prod, "prod");
}

Tensor mean(const Tensor& t, const DimList& dims, bool keepdim, std::optional<DType> dtype) {
  const Tensor x = dtype ? to_dtype(t, *dtype) : t;
  check_floating(x, "mean");
  return reduce(x, dims, keepdim, ReduceKind::Mean, x.dtype(), "mean");
}

Tensor amax(const Tensor& t, const DimList& dims, bool keepdim) {
  return extreme(t, dims, keepdim, ReduceKind::Max, "amax");
}

Tensor amin(const Tensor& t, const DimList& dims, bool keepdim) {
  return extreme(t, dims, keepdim, ReduceKind::Min, "amin");
}

Tensor all(const Tensor& t, const DimList& dims, bool keepdim) {
  return reduce(t, dims, keepdim, ReduceKind::All, DType::Bool, "all");
}

Tensor any(const Tensor& t, const DimList& dims, bool keepdim) {
  return reduce(t, dims, keepdim, ReduceKind::Any, DType::Bool, "any");
}

Tensor logsumexp(const Tensor& t, const DimList& dims, bool keepdim) {
  // Like PyTorch, integers are promoted to the default floating type.
  const Tensor x = is_floating(t.dtype()) ? t : to_dtype(t, DType::Float32);
  return reduce(x, dims, keepdim, ReduceKind::LogSumExp, x.dtype(), "logsumexp");
}

Tensor norm(const Tensor& t, double p, const DimList& dims, bool keepdim) {
  check_floating(t, "norm");
  const double inf = std::numeric_limits<double>::infinity();
  const ReduceKind kind = p == 2.0   ? ReduceKind::Norm2
                          : p == 1.0 ? ReduceKind::Norm1
                          : p == 0.0 ? ReduceKind::Norm0
                          : p == inf ? ReduceKind::NormInf
                          : p == -inf ? ReduceKind::NormNegInf
                                      : ReduceKind::NormP;
  EMBER_CHECK(!std::isnan(p), ValueError, "norm: p must be a number, got nan");
  // The inf-norms have no identity to give for an empty reduction.
  if (std::isinf(p)) check_nonempty(t, reduced_dims(t, dims, "norm"), dims.empty(), "norm");
  return reduce(t, dims, keepdim, kind, t.dtype(), "norm", p);
}

Tensor var(const Tensor& t, const DimList& dims, double correction, bool keepdim) {
  return variance(t, dims, correction, keepdim, false, "var").first;
}

Tensor std(const Tensor& t, const DimList& dims, double correction, bool keepdim) {
  return variance(t, dims, correction, keepdim, true, "std").first;
}

std::pair<Tensor, Tensor> var_mean(const Tensor& t, const DimList& dims, double correction,
                                   bool keepdim) {
  return variance(t, dims, correction, keepdim, false, "var_mean");
}

std::pair<Tensor, Tensor> std_mean(const Tensor& t, const DimList& dims, double correction,
                                   bool keepdim) {
  return variance(t, dims, correction, keepdim, true, "std_mean");
}

std::pair<Tensor, Tensor> max(const Tensor& t, int64_t dim, bool keepdim) {
  return arg_extreme(t, dim, keepdim, true, true, "max");
}

std::pair<Tensor, Tensor> min(const Tensor& t, int64_t dim, bool keepdim) {
  return arg_extreme(t, dim, keepdim, false, true, "min");
}

Tensor argmax(const Tensor& t, std::optional<int64_t> dim, bool keepdim) {
  return arg_extreme(t, dim, keepdim, true, false, "argmax").second;
}

Tensor argmin(const Tensor& t, std::optional<int64_t> dim, bool keepdim) {
  return arg_extreme(t, dim, keepdim, false, false, "argmin").second;
}

Tensor cumsum(const Tensor& t, int64_t dim, std::optional<DType> dtype) {
  return scan(t, dim, dtype, false, "cumsum");
}

Tensor cumprod(const Tensor& t, int64_t dim, std::optional<DType> dtype) {
  return scan(t, dim, dtype, true, "cumprod");
}

}  // namespace ember::ops
