#include "ember/ops/views.h"

#include <algorithm>
#include <numeric>
#include <unordered_map>
#include <unordered_set>

#include "core/device_dispatch.h"
#include "core/tensor_iter.h"
#include "cpu/index.h"
#include "cuda/index.h"
#include "ember/error.h"
#include "ember/ops/copy.h"

namespace ember::ops {
namespace {

void check_same_device(const char* op, const Tensor& a, const Tensor& b) {
  EMBER_CHECK(a.device() == b.device(), RuntimeError, op,
              ": expected all tensors to be on the same device, but found ", a.device(), " and ",
              b.device());
}

// PyTorch's spelling of a size list in messages: "[2, 5]".
std::string list_str(const Shape& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

std::string dims_str(const std::vector<Tensor>& ts) {
  std::string out;
  for (size_t i = 0; i < ts.size(); ++i) out += (i ? ", " : "") + list_str(ts[i].sizes());
  return out;
}

void check_index(int64_t& index, int64_t size, int64_t dim) {
  EMBER_CHECK(index >= -size && index < size, IndexError, "index ", index,
              " is out of bounds for dimension ", dim, " with size ", size);
  if (index < 0) index += size;
}

// Replaces a -1 in shape by what makes the numel match.
Shape infer_size(const Shape& shape, int64_t numel) {
  Shape out = shape;
  int64_t known = 1, infer = -1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      EMBER_CHECK(infer < 0, RuntimeError, "view: only one dimension can be inferred");
      infer = static_cast<int64_t>(i);
    } else {
      EMBER_CHECK(shape[i] >= 0, RuntimeError, "view: invalid shape dimension ", shape[i]);
      EMBER_CHECK(!__builtin_mul_overflow(known, shape[i], &known), RuntimeError, "shape '",
                  list_str(shape), "' is too large");
    }
  }
  if (infer >= 0) {
    EMBER_CHECK(known != 0, RuntimeError, "view: cannot reshape tensor of 0 elements into shape ",
                list_str(shape), " because the unspecified dimension size -1 can be any value "
                "and is ambiguous");
    EMBER_CHECK(numel % known == 0, RuntimeError, "shape '", list_str(shape),
                "' is invalid for input of size ", numel);
    out[infer] = numel / known;
  } else {
    EMBER_CHECK(known == numel, RuntimeError, "shape '", list_str(shape),
                "' is invalid for input of size ", numel);
  }
  return out;
}

// Strides that let shape view t's memory, or none when a new dim would span two chunks of
// memory that are not evenly spaced (PyTorch's computeStride).
std::optional<Shape> view_strides(const Tensor& t, const Shape& shape) {
  // Any strides describe zero elements; contiguous ones keep later views simple.
  if (t.is_contiguous() || t.dim() == 0 || t.numel() == 0) return contiguous_strides(shape);
  const Shape& old_sizes = t.sizes();
  const Shape& old_strides = t.strides();
  Shape strides(shape.size());
  int64_t view_d = static_cast<int64_t>(shape.size()) - 1;
  int64_t chunk_base = old_strides.back(), tensor_numel = 1, view_numel = 1;
  for (int64_t d = t.dim() - 1; d >= 0; --d) {
    tensor_numel *= old_sizes[d];
    if (d == 0 || (old_sizes[d - 1] != 1 && old_strides[d - 1] != tensor_numel * chunk_base)) {
      while (view_d >= 0 && (view_numel < tensor_numel || shape[view_d] == 1)) {
        strides[view_d] = view_numel * chunk_base;
        view_numel *= shape[view_d];
        --view_d;
      }
      if (view_numel != tensor_numel) return std::nullopt;
      if (d > 0) {
        chunk_base = old_strides[d - 1];
        tensor_numel = view_numel = 1;
      }
    }
  }
  if (view_d != -1) return std::nullopt;
  return strides;
}

Shape wrap_dims(const Shape& dims, int64_t ndim, const char* op) {
  Shape out(dims.size());
  std::vector<bool> seen(std::max<int64_t>(ndim, 1), false);
  for (size_t i = 0; i < dims.size(); ++i) {
    out[i] = wrap_dim(dims[i], ndim, op);
    EMBER_CHECK(!seen[out[i]], RuntimeError, op, ": duplicate dims are not allowed (got ",
                list_str(dims), ")");
    seen[out[i]] = true;
  }
  return out;
}

}  // namespace

// -- views ---------------------------------------------------------------------------------

Tensor view(const Tensor& t, const Shape& shape) {
  Shape sizes = infer_size(shape, t.numel());
  std::optional<Shape> strides = view_strides(t, sizes);
  EMBER_CHECK(strides, RuntimeError,
              "view size is not compatible with input tensor's size and stride (at least one "
              "dimension spans across two contiguous subspaces). Use .reshape(...) instead.");
  return t.as_strided(std::move(sizes), std::move(*strides), t.storage_offset());
}

Tensor reshape(const Tensor& t, const Shape& shape) {
  Shape sizes = infer_size(shape, t.numel());
  if (std::optional<Shape> strides = view_strides(t, sizes))
    return t.as_strided(std::move(sizes), std::move(*strides), t.storage_offset());
  Tensor c = clone(t);
  return c.as_strided(sizes, contiguous_strides(sizes), 0);
}

Tensor permute(const Tensor& t, const Shape& dims) {
  EMBER_CHECK(static_cast<int64_t>(dims.size()) == t.dim(), RuntimeError,
              "permute: the tensor of shape ", shape_str(t.sizes()), " has ", t.dim(),
              " dims but the order ", list_str(dims), " has ", dims.size());
  const Shape wrapped = wrap_dims(dims, t.dim(), "permute");
  Shape sizes(dims.size()), strides(dims.size());
  for (size_t i = 0; i < dims.size(); ++i) {
    sizes[i] = t.sizes()[wrapped[i]];
    strides[i] = t.strides()[wrapped[i]];
  }
  return t.as_strided(std::move(sizes), std::move(strides), t.storage_offset());
}

Tensor transpose(const Tensor& t, int64_t dim0, int64_t dim1) {
  dim0 = wrap_dim(dim0, t.dim(), "transpose");
  dim1 = wrap_dim(dim1, t.dim(), "transpose");
  Shape sizes = t.sizes(), strides = t.strides();
  if (t.dim() > 0) {
    std::swap(sizes[dim0], sizes[dim1]);
    std::swap(strides[dim0], strides[dim1]);
  }
  return t.as_strided(std::move(sizes), std::move(strides), t.storage_offset());
}

Tensor t(const Tensor& x) {
  EMBER_CHECK(x.dim() <= 2, RuntimeError, "t: expects a tensor with <= 2 dimensions, but got shape ",
              shape_str(x.sizes()));
  return x.dim() < 2 ? x : transpose(x, 0, 1);
}

Tensor movedim(const Tensor& t, const Shape& source, const Shape& destination) {
  EMBER_CHECK(source.size() == destination.size(), ValueError,
              "movedim: Invalid source or destination dims: source (", list_str(source),
              " dims) should contain the same number of dims as destination (",
              list_str(destination), " dims)");
  const Shape src = wrap_dims(source, t.dim(), "movedim");
  const Shape dst = wrap_dims(destination, t.dim(), "movedim");
  const int64_t n = t.dim();
  if (n == 0) return t;  // dims 0 and -1 of a 0-d tensor name the tensor itself
  Shape order(n, -1);
  std::vector<bool> used(n, false);
  for (size_t i = 0; i < src.size(); ++i) {
    order[dst[i]] = src[i];
    used[src[i]] = true;
  }
  int64_t next = 0;
  for (int64_t d = 0; d < n; ++d) {
    if (order[d] >= 0) continue;
    while (used[next]) ++next;
    order[d] = next++;
  }
  return permute(t, order);
}

Tensor expand(const Tensor& t, const Shape& sizes) {
  const int64_t n = static_cast<int64_t>(sizes.size()), lead = n - t.dim();
  EMBER_CHECK(lead >= 0, RuntimeError, "expand: the number of sizes provided (", n,
              ") must be greater or equal to the number of dimensions in the tensor (", t.dim(),
              ")");
  Shape out_sizes(n), out_strides(n);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t want = sizes[i];
    if (i < lead) {
      EMBER_CHECK(want >= 0, RuntimeError, "expand: the expanded size of the tensor (", want,
                  ") isn't allowed in a leading, non-existing dimension ", i);
      out_sizes[i] = want;
      out_strides[i] = 0;
      continue;
    }
    const int64_t have = t.sizes()[i - lead];
    if (want == -1 || want == have) {
      out_sizes[i] = have;
      out_strides[i] = t.strides()[i - lead];
    } else {
      EMBER_CHECK(have == 1 && want >= 0, RuntimeError, "expand: the expanded size of the tensor (",
                  want, ") must match the existing size (", have,
                  ") at non-singleton dimension ", i, ".  Target sizes: ", list_str(sizes),
                  ".  Tensor sizes: ", list_str(t.sizes()));
      out_sizes[i] = want;
      out_strides[i] = 0;
    }
  }
  return t.as_strided(std::move(out_sizes), std::move(out_strides), t.storage_offset());
}

Tensor squeeze(const Tensor& t) {
  Shape all(t.dim());
  std::iota(all.begin(), all.end(), 0);
  return squeeze(t, all);
}

Tensor squeeze(const Tensor& t, const Shape& dims) {
  std::vector<bool> drop(t.dim(), false);
  for (int64_t d : dims) {
    const int64_t w = wrap_dim(d, t.dim(), "squeeze");
    if (t.dim() > 0 && t.sizes()[w] == 1) drop[w] = true;
  }
  Shape sizes, strides;
  for (int64_t d = 0; d < t.dim(); ++d)
    if (!drop[d]) {
      sizes.push_back(t.sizes()[d]);
      strides.push_back(t.strides()[d]);
    }
  return t.as_strided(std::move(sizes), std::move(strides), t.storage_offset());
}

Tensor unsqueeze(const Tensor& t, int64_t dim) {
  dim = wrap_dim(dim, t.dim() + 1, "unsqueeze");
  Shape sizes = t.sizes(), strides = t.strides();
  const int64_t stride = dim < t.dim() ? sizes[dim] * strides[dim] : 1;
  sizes.insert(sizes.begin() + dim, 1);
  strides.insert(strides.begin() + dim, stride);
  return t.as_strided(std::move(sizes), std::move(strides), t.storage_offset());
}

Tensor flatten(const Tensor& t, int64_t start_dim, int64_t end_dim) {
  start_dim = wrap_dim(start_dim, t.dim(), "flatten");
  end_dim = wrap_dim(end_dim, t.dim(), "flatten");
  EMBER_CHECK(start_dim <= end_dim, RuntimeError, "flatten: start_dim (", start_dim,
              ") cannot come after end_dim (", end_dim, ")");
  if (t.dim() == 0) return reshape(t, {1});
  if (start_dim == end_dim) return t;
  Shape sizes(t.sizes().begin(), t.sizes().begin() + start_dim);
  sizes.push_back(-1);
  sizes.insert(sizes.end(), t.sizes().begin() + end_dim + 1, t.sizes().end());
  int64_t span = 1;
  for (int64_t d = start_dim; d <= end_dim; ++d) span *= t.sizes()[d];
  sizes[start_dim] = span;
  return reshape(t, sizes);
}

Tensor unflatten(const Tensor& t, int64_t dim, const Shape& sizes) {
  dim = wrap_dim(dim, t.dim(), "unflatten");
  EMBER_CHECK(!sizes.empty(), RuntimeError, "unflatten: sizes must be non-empty");
  const int64_t size = t.dim() == 0 ? 1 : t.sizes()[dim];
  Shape inferred;
  try {
    inferred = infer_size(sizes, size);
  } catch (const Error&) {
    throw RuntimeError(detail::concat("unflatten: provided sizes ", list_str(sizes),
                                      " don't multiply up to the size of dim ", dim, " (", size,
                                      ") in the input tensor"));
  }
  Shape shape(t.sizes().begin(), t.sizes().begin() + dim);
  shape.insert(shape.end(), inferred.begin(), inferred.end());
  if (t.dim() > 0) shape.insert(shape.end(), t.sizes().begin() + dim + 1, t.sizes().end());
  return view(t, shape);
}

Tensor narrow(const Tensor& t, int64_t dim, int64_t start, int64_t length) {
  EMBER_CHECK(t.dim() > 0, RuntimeError, "narrow: cannot be applied to a 0-dim tensor");
  dim = wrap_dim(dim, t.dim(), "narrow");
  const int64_t size = t.sizes()[dim];
  EMBER_CHECK(start >= -size && start <= size, IndexError, "narrow: start (", start,
              ") out of range for dimension ", dim, " of size ", size);
  if (start < 0) start += size;
  EMBER_CHECK(length >= 0, RuntimeError, "narrow: length must be non-negative, got ", length);
  EMBER_CHECK(start + length <= size, RuntimeError, "narrow: start (", start, ") + length (", length,
              ") exceeds dimension size (", size, ")");
  Shape sizes = t.sizes();
  sizes[dim] = length;
  return t.as_strided(std::move(sizes), t.strides(), t.storage_offset() + start * t.strides()[dim]);
}

Tensor select(const Tensor& t, int64_t dim, int64_t index) {
  EMBER_CHECK(t.dim() > 0, IndexError, "select: cannot be applied to a 0-dim tensor");
  dim = wrap_dim(dim, t.dim(), "select");
  check_index(index, t.sizes()[dim], dim);
  Shape sizes = t.sizes(), strides = t.strides();
  const int64_t offset = t.storage_offset() + index * strides[dim];
  sizes.erase(sizes.begin() + dim);
  strides.erase(strides.begin() + dim);
  return t.as_strided(std::move(sizes), std::move(strides), offset);
}

Tensor slice(const Tensor& t, int64_t dim, std::optional<int64_t> start_opt,
             std::optional<int64_t> stop_opt, int64_t step) {
  EMBER_CHECK(t.dim() > 0, IndexError, "slice: cannot be applied to a 0-dim tensor");
  EMBER_CHECK(step != 0, ValueError, "slice: step cannot be zero");
  dim = wrap_dim(dim, t.dim(), "slice");
  const int64_t n = t.sizes()[dim];
  // Python's slice.indices(): clamp into [lower, upper], the range of valid first positions.
  const int64_t lower = step > 0 ? 0 : -1, upper = step > 0 ? n : n - 1;
  auto clamp = [&](std::optional<int64_t> v, int64_t fallback) {
    if (!v) return fallback;
    int64_t x = *v < 0 ? *v + n : *v;
    return std::clamp(x, lower, upper);
  };
  const int64_t start = clamp(start_opt, step > 0 ? lower : upper);
  const int64_t stop = clamp(stop_opt, step > 0 ? upper : lower);
  int64_t length = 0;
  if (step > 0 && stop > start) length = (stop - start - 1) / step + 1;
  if (step < 0 && start > stop) length = (start - stop - 1) / -step + 1;
  Shape sizes = t.sizes(), strides = t.strides();
  sizes[dim] = length;
  const int64_t offset = t.storage_offset() + (length > 0 ? start * strides[dim] : 0);
  strides[dim] *= step;
  return t.as_strided(std::move(sizes), std::move(strides), offset);
}

Tensor diagonal(const Tensor& t, int64_t offset, int64_t dim1, int64_t dim2) {
  dim1 = wrap_dim(dim1, t.dim(), "diagonal");
  dim2 = wrap_dim(dim2, t.dim(), "diagonal");
  EMBER_CHECK(dim1 != dim2, RuntimeError, "diagonal: dimensions cannot be identical ", dim1,
              ", ", dim2);
  const int64_t s1 = t.sizes()[dim1], s2 = t.sizes()[dim2];
  const int64_t length = std::max<int64_t>(
      0, offset >= 0 ? std::min(s1, s2 - offset) : std::min(s1 + offset, s2));
  int64_t start = t.storage_offset();
  if (length > 0) start += offset >= 0 ? offset * t.strides()[dim2] : -offset * t.strides()[dim1];
  Shape sizes, strides;
  for (int64_t d = 0; d < t.dim(); ++d)
    if (d != dim1 && d != dim2) {
      sizes.push_back(t.sizes()[d]);
      strides.push_back(t.strides()[d]);
    }
  sizes.push_back(length);
  strides.push_back(t.strides()[dim1] + t.strides()[dim2]);
  return t.as_strided(std::move(sizes), std::move(strides), start);
}

// -- indexing --------------------------------------------------------------------------------
namespace {

// Where advanced indexing reads or writes: the result's shape and, per row of the result, an
// element offset into t plus the block of non-indexed trailing dims each row covers.
struct IndexPlan {
  Shape out_shape;
  std::vector<int64_t> row_offsets;
  Shape block_sizes, block_strides;

  cpu::RowBlock block(const Tensor& t) const {
    return {row_offsets.data(), static_cast<int64_t>(row_offsets.size()), block_sizes,
            block_strides, t.itemsize()};
  }
};

IndexPlan plan_index(const Tensor& t, const std::vector<std::optional<Tensor>>& indices_in) {
  // Masks become one integer index per dim they cover.
  std::vector<Tensor> indices;
  for (const std::optional<Tensor>& opt : indices_in) {
    const Tensor idx = opt ? *opt : Tensor();
    const int64_t d = static_cast<int64_t>(indices.size());
    const int64_t covers = idx.defined() && (idx.dtype() == DType::Bool || idx.dtype() == DType::UInt8)
                               ? idx.dim() : 1;
    EMBER_CHECK(d + covers <= t.dim(), IndexError, "too many indices for tensor of dimension ",
                t.dim());
    EMBER_CHECK(!idx.defined() || idx.device().is_cpu() || idx.device() == t.device(),
                RuntimeError, "index: indices on ", idx.device(), " cannot index a tensor on ",
                t.device());
    if (!idx.defined()) {
      indices.emplace_back();
    } else if (idx.dtype() == DType::Bool || idx.dtype() == DType::UInt8) {
      for (int64_t k = 0; k < covers; ++k)
        EMBER_CHECK(idx.sizes()[k] == t.sizes()[d + k], IndexError, "The shape of the mask ",
                    list_str(idx.sizes()), " at index ", k,
                    " does not match the shape of the indexed tensor ", list_str(t.sizes()),
                    " at index ", d + k);
      const Tensor nz = nonzero(idx);
      for (int64_t k = 0; k < covers; ++k) indices.push_back(select(nz, 1, k));
    } else {
      EMBER_CHECK(idx.dtype() == DType::Int64 || idx.dtype() == DType::Int32, IndexError,
                  "tensors used as indices must be long, int, byte or bool tensors (got ",
                  idx.dtype(), ")");
      indices.push_back(idx);
    }
  }
  indices.resize(t.dim());

  std::vector<int64_t> indexed;
  std::vector<Tensor> defined;
  Shape bshape;
  for (int64_t d = 0; d < t.dim(); ++d) {
    if (!indices[d].defined()) continue;
    indexed.push_back(d);
    defined.push_back(indices[d]);
    try {
      bshape = broadcast_shapes(bshape, indices[d].sizes(), "index");
    } catch (const ValueError&) {
      throw IndexError("shape mismatch: indexing tensors could not be broadcast together with "
                       "shapes " + dims_str(defined));
    }
  }
  const bool adjacent = indexed.empty() || indexed.back() - indexed.front() + 1 ==
                                               static_cast<int64_t>(indexed.size());
  const int64_t nb = numel_of(bshape);

  // Offset of each position of the broadcast index shape, computed and bounds-checked on the
  // host (a kernel cannot raise IndexError): device indices make one transfer.
  std::vector<int64_t> index_offsets(nb, 0);
  for (int64_t d : indexed) {
    const Tensor idx =
        contiguous(to_dtype(to_device(expand(indices[d], bshape), Device{}), DType::Int64));
    const int64_t* p = idx.data<int64_t>();
    const int64_t size = t.sizes()[d], stride = t.strides()[d];
    for (int64_t b = 0; b < nb; ++b) {
      int64_t i = p[b];
      check_index(i, size, d);
      index_offsets[b] += i * stride;
    }
  }

  IndexPlan plan;
  Shape outer_sizes, outer_strides;
  const int64_t first = indexed.empty() ? t.dim() : indexed.front();
  for (int64_t d = 0; d < t.dim(); ++d) {
    if (indices[d].defined()) continue;
    const bool outer = adjacent && d < first;
    (outer ? outer_sizes : plan.block_sizes).push_back(t.sizes()[d]);
    (outer ? outer_strides : plan.block_strides).push_back(t.strides()[d]);
  }
  plan.out_shape = outer_sizes;
  plan.out_shape.insert(plan.out_shape.end(), bshape.begin(), bshape.end());
  plan.out_shape.insert(plan.out_shape.end(), plan.block_sizes.begin(), plan.block_sizes.end());

  const int64_t n_outer = numel_of(outer_sizes);
  plan.row_offsets.resize(n_outer * nb);
  Shape counter(outer_sizes.size(), 0);
  int64_t outer_offset = 0;
  for (int64_t o = 0; o < n_outer; ++o) {
    for (int64_t b = 0; b < nb; ++b) plan.row_offsets[o * nb + b] = outer_offset + index_offsets[b];
    for (int64_t d = static_cast<int64_t>(counter.size()) - 1; d >= 0; --d) {
      outer_offset += outer_strides[d];
      if (++counter[d] < outer_sizes[d]) break;
      outer_offset -= outer_strides[d] * outer_sizes[d];
      counter[d] = 0;
    }
  }
  return plan;
}

// values as an int64 tensor on device.
Tensor int64_tensor(const std::vector<int64_t>& values, Device device) {
  Tensor host = Tensor::empty({static_cast<int64_t>(values.size())}, DType::Int64);
  std::copy(values.begin(), values.end(), host.data<int64_t>());
  return to_device(host, device);
}

}  // namespace

Tensor index(const Tensor& t, const std::vector<std::optional<Tensor>>& indices) {
  const IndexPlan plan = plan_index(t, indices);
  Tensor out = Tensor::empty(plan.out_shape, t.dtype(), t.device());
  if (out.numel() == 0) return out;
  char* dense = static_cast<char*>(out.data_ptr());
  const char* strided = static_cast<const char*>(t.data_ptr());
  if (t.device().is_cuda()) {
    EMBER_ON_CUDA("index", {
      const Tensor offsets = int64_tensor(plan.row_offsets, t.device());
      cuda::gather_rows(dense, strided,
                        {offsets.data<int64_t>(), nullptr, offsets.numel(), plan.block_sizes,
                         plan.block_strides, t.itemsize()});
    });
  } else {
    cpu::gather_rows(dense, strided, plan.block(t));
  }
  return out;
}

namespace {

// t's blocks += the dense rows of plan, repeated blocks summing in row order on every device.
void index_add_rows(const Tensor& t, const IndexPlan& plan, const char* from, char* to) {
  if (!t.device().is_cuda()) {
    cpu::scatter_add_rows(from, to, plan.block(t), t.dtype());
    return;
  }
  EMBER_ON_CUDA("index_put_", {
    // Group the rows by target block (in order of first appearance, each group in row order),
    // so that one device thread sums each target element without atomics.
    std::unordered_map<int64_t, size_t> group_of;
    std::vector<std::vector<int64_t>> groups;
    std::vector<int64_t> offsets;
    for (size_t r = 0; r < plan.row_offsets.size(); ++r) {
      const auto [it, fresh] = group_of.emplace(plan.row_offsets[r], groups.size());
      if (fresh) {
        groups.emplace_back();
        offsets.push_back(plan.row_offsets[r]);
      }
      groups[it->second].push_back(static_cast<int64_t>(r));
    }
    std::vector<int64_t> rows, starts{0};
    for (const std::vector<int64_t>& g : groups) {
      rows.insert(rows.end(), g.begin(), g.end());
      starts.push_back(static_cast<int64_t>(rows.size()));
    }
    const Tensor d_offsets = int64_tensor(offsets, t.device());
    const Tensor d_rows = int64_tensor(rows, t.device());
    const Tensor d_starts = int64_tensor(starts, t.device());
    cuda::scatter_add_rows(from, to,
                           {d_offsets.data<int64_t>(), d_rows.data<int64_t>(), d_offsets.numel(),
                            plan.block_sizes, plan.block_strides, t.itemsize()},
                           d_starts.data<int64_t>(), t.dtype());
  });
}

}  // namespace

void index_put_(const Tensor& t, const std::vector<std::optional<Tensor>>& indices,
                const Tensor& values, bool accumulate) {
  check_same_device("index_put_", t, values);
  const IndexPlan plan = plan_index(t, indices);
  bool fits = values.dim() <= static_cast<int64_t>(plan.out_shape.size());
  for (int64_t i = 1; fits && i <= values.dim(); ++i) {
    const int64_t v = values.sizes()[values.dim() - i];
    fits = v == 1 || v == plan.out_shape[plan.out_shape.size() - i];
  }
  EMBER_CHECK(fits, ValueError, "index_put_: shape mismatch: value tensor of shape ",
              shape_str(values.sizes()), " cannot be broadcast to indexing result of shape ",
              shape_str(plan.out_shape));
  if (numel_of(plan.out_shape) == 0) return;
  // A dense private copy, so that values overlapping t are read before t is written.
  Tensor dense = Tensor::empty(plan.out_shape, t.dtype(), t.device());
  copy_(dense, values);
  const char* from = static_cast<const char*>(dense.data_ptr());
  char* to = static_cast<char*>(t.data_ptr());
  if (accumulate) {
    index_add_rows(t, plan, from, to);
    return;
  }
  if (t.device().is_cuda()) {
    EMBER_ON_CUDA("index_put_", {
      // Only the last of the rows that target one block is written, as the CPU's serial loop
      // leaves it, so that the device's parallel writes never race.
      std::vector<int64_t> rows, offsets;
      std::unordered_set<int64_t> seen;
      for (size_t r = plan.row_offsets.size(); r-- > 0;) {
        if (!seen.insert(plan.row_offsets[r]).second) continue;
        rows.push_back(static_cast<int64_t>(r));
        offsets.push_back(plan.row_offsets[r]);
      }
      const Tensor d_rows = int64_tensor(rows, t.device());
      const Tensor d_offsets = int64_tensor(offsets, t.device());
      cuda::scatter_rows(from, to,
                         {d_offsets.data<int64_t>(), d_rows.data<int64_t>(), d_rows.numel(),
                          plan.block_sizes, plan.block_strides, t.itemsize()});
    });
  } else {
    cpu::scatter_rows(from, to, plan.block(t));
  }
}

Tensor index_select(const Tensor& t, int64_t dim, const Tensor& idx) {
  dim = wrap_dim(dim, t.dim(), "index_select");
  EMBER_CHECK(idx.dim() <= 1, IndexError, "index_select: index must be a 1-D tensor, got shape ",
              shape_str(idx.sizes()));
  EMBER_CHECK(idx.dtype() == DType::Int64 || idx.dtype() == DType::Int32, TypeError,
              "index_select: index must be an int32 or int64 tensor, got ", idx.dtype());
  if (t.dim() == 0) return reshape(index(reshape(t, {1}), {reshape(idx, {-1})}), {});
  std::vector<std::optional<Tensor>> indices(dim);
  indices.push_back(reshape(idx, {-1}));
  return index(t, indices);
}

void masked_fill_(const Tensor& t, const Tensor& mask, const Tensor& value) {
  check_same_device("masked_fill_", t, mask);
  EMBER_CHECK(mask.dtype() == DType::Bool, TypeError,
              "masked_fill_: only supports boolean masks, but got mask with dtype ", mask.dtype());
  EMBER_CHECK(value.dim() == 0, RuntimeError,
              "masked_fill_: only supports a 0-dimensional value tensor, but got tensor with ",
              value.dim(), " dimension(s)");
  const Shape shape = broadcast_shapes(t.sizes(), mask.sizes(), "masked_fill_");
  EMBER_CHECK(shape == t.sizes(), ValueError, "masked_fill_: mask of shape ",
              shape_str(mask.sizes()), " cannot be broadcast to tensor of shape ",
              shape_str(t.sizes()));
  if (t.numel() == 0) return;
  // The 0-d value may live on the CPU (a Python scalar), as in PyTorch.
  const Tensor v = to_device(to_dtype(value, t.dtype()), t.device());
  TensorIter iter(t, {&mask, &v});
  if (t.device().is_cuda()) EMBER_ON_CUDA("masked_fill_", cuda::masked_fill(iter, t.itemsize()));
  else cpu::masked_fill(iter, t.itemsize());
}

Tensor masked_fill(const Tensor& t, const Tensor& mask, const Tensor& value) {
  check_same_device("masked_fill", t, mask);
  const Shape shape = broadcast_shapes(t.sizes(), mask.sizes(), "masked_fill");
  Tensor out = Tensor::empty(shape, t.dtype(), t.device());
  copy_(out, t);
  masked_fill_(out, mask, value);
  return out;
}

Tensor nonzero(const Tensor& t) {
  const Tensor c = contiguous(t);
  if (t.device().is_cuda()) {
    EMBER_ON_CUDA("nonzero", return cuda::nonzero(c));
  }
  const int64_t count = cpu::count_nonzero(c.data_ptr(), c.numel(), c.dtype());
  Tensor out = Tensor::empty({count, t.dim()}, DType::Int64, t.device());
  if (count > 0) cpu::nonzero(c.data_ptr(), c.sizes(), c.dtype(), out.data<int64_t>());
  return out;
}

Tensor flip(const Tensor& t, const Shape& dims) {
  Tensor v = t;
  for (int64_t d : wrap_dims(dims, t.dim(), "flip"))
    if (t.dim() > 0) v = slice(v, d, std::nullopt, std::nullopt, -1);
  return clone(v);
}

// -- joins and splits ------------------------------------------------------------------------

Tensor cat(const std::vector<Tensor>& tensors, int64_t dim) {
  EMBER_CHECK(!tensors.empty(), ValueError, "cat: expected a non-empty list of tensors");
  // PyTorch still accepts the legacy empty tensor of shape (0,) next to tensors of any rank.
  auto legacy = [](const Tensor& x) { return x.dim() == 1 && x.sizes()[0] == 0; };
  const Tensor* ref = nullptr;
  DType dtype = tensors[0].dtype();
  for (const Tensor& x : tensors) {
    dtype = promote_types(dtype, x.dtype());
    if (!ref && !legacy(x)) ref = &x;
  }
  for (const Tensor& x : tensors) check_same_device("cat", tensors[0], x);
  if (!ref) return Tensor::empty({0}, dtype, tensors[0].device());
  for (size_t i = 0; i < tensors.size(); ++i)
    EMBER_CHECK(tensors[i].dim() > 0, RuntimeError, "cat: zero-dimensional tensor (at position ",
                i, ") cannot be concatenated");
  dim = wrap_dim(dim, ref->dim(), "cat");
  Shape shape = ref->sizes();
  shape[dim] = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& x = tensors[i];
    if (legacy(x)) continue;
    EMBER_CHECK(x.dim() == ref->dim(), RuntimeError,
                "cat: tensors must have the same number of dimensions: got ", ref->dim(), " and ",
                x.dim(), " (tensor number ", i, " in the list, shape ", shape_str(x.sizes()), ")");
    for (int64_t d = 0; d < x.dim(); ++d)
      EMBER_CHECK(d == dim || x.sizes()[d] == ref->sizes()[d], RuntimeError,
                  "cat: sizes of tensors must match except in dimension ", dim,
                  ". Expected size ", ref->sizes()[d], " but got size ", x.sizes()[d],
                  " for tensor number ", i, " in the list (shapes ", shape_str(ref->sizes()),
                  " and ", shape_str(x.sizes()), ")");
    shape[dim] += x.sizes()[dim];
  }
  Tensor out = Tensor::empty(shape, dtype, ref->device());
  int64_t offset = 0;
  for (const Tensor& x : tensors) {
    if (legacy(x)) continue;
    copy_(narrow(out, dim, offset, x.sizes()[dim]), x);
    offset += x.sizes()[dim];
  }
  return out;
}

Tensor stack(const std::vector<Tensor>& tensors, int64_t dim) {
  EMBER_CHECK(!tensors.empty(), ValueError, "stack: expected a non-empty list of tensors");
  dim = wrap_dim(dim, tensors[0].dim() + 1, "stack");
  std::vector<Tensor> parts;
  parts.reserve(tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    check_same_device("stack", tensors[0], tensors[i]);
    EMBER_CHECK(tensors[i].sizes() == tensors[0].sizes(), RuntimeError,
                "stack: expects each tensor to be equal size, but got ",
                shape_str(tensors[0].sizes()), " at entry 0 and ", shape_str(tensors[i].sizes()),
                " at entry ", i);
    parts.push_back(unsqueeze(tensors[i], dim));
  }
  return cat(parts, dim);
}

std::vector<Tensor> split_with_sizes(const Tensor& t, const Shape& sizes, int64_t dim) {
  EMBER_CHECK(t.dim() > 0, RuntimeError, "split: cannot be applied to a 0-dim tensor");
  dim = wrap_dim(dim, t.dim(), "split");
  const int64_t n = t.sizes()[dim];
  int64_t total = 0;
  for (int64_t s : sizes) {
    EMBER_CHECK(s >= 0, RuntimeError, "split_with_sizes: split sizes must be non-negative, got ",
                list_str(sizes));
    total += s;
  }
  EMBER_CHECK(total == n, RuntimeError, "split_with_sizes expects split_sizes to sum exactly to ",
              n, " (input tensor's size at dimension ", dim, "), but got split_sizes=",
              list_str(sizes));
  std::vector<Tensor> out;
  int64_t offset = 0;
  for (int64_t s : sizes) {
    out.push_back(narrow(t, dim, offset, s));
    offset += s;
  }
  return out;
}

std::vector<Tensor> split(const Tensor& t, int64_t split_size, int64_t dim) {
  EMBER_CHECK(t.dim() > 0, RuntimeError, "split: cannot be applied to a 0-dim tensor");
  dim = wrap_dim(dim, t.dim(), "split");
  const int64_t n = t.sizes()[dim];
  EMBER_CHECK(split_size >= 0, RuntimeError, "split: split_size must be non-negative, got ",
              split_size);
  EMBER_CHECK(split_size > 0 || n == 0, RuntimeError,
              "split: split_size can only be 0 if dimension size is 0, but got dimension size of ", n);
  Shape sizes;
  if (n == 0) sizes.push_back(0);
  for (int64_t offset = 0; offset < n; offset += split_size)
    sizes.push_back(std::min(split_size, n - offset));
  return split_with_sizes(t, sizes, dim);
}

std::vector<Tensor> chunk(const Tensor& t, int64_t chunks, int64_t dim) {
  EMBER_CHECK(t.dim() > 0, RuntimeError, "chunk: cannot be applied to a 0-dim tensor");
  EMBER_CHECK(chunks > 0, RuntimeError, "chunk: chunks must be greater than 0, got ", chunks);
  dim = wrap_dim(dim, t.dim(), "chunk");
  const int64_t n = t.sizes()[dim];
  if (n == 0) return split_with_sizes(t, Shape(chunks, 0), dim);
  return split(t, (n + chunks - 1) / chunks, dim);
}

std::vector<Tensor> unbind(const Tensor& t, int64_t dim) {
  EMBER_CHECK(t.dim() > 0, RuntimeError, "unbind: dimension specified as 0 but tensor has no dimensions");
  dim = wrap_dim(dim, t.dim(), "unbind");
  std::vector<Tensor> out;
  for (int64_t i = 0; i < t.sizes()[dim]; ++i) out.push_back(select(t, dim, i));
  return out;
}

}  // namespace ember::ops
