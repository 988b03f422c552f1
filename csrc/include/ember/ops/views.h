// Views (no copy: the result shares the input's storage), indexing and joins (which copy).
//
// Views follow PyTorch, except that slice() takes numpy's negative steps (a view with a
// negative stride). Every dim argument may be negative; every index is bounds-checked and an
// out-of-range one raises IndexError.
#pragma once

#include <optional>
#include <vector>

#include "ember/tensor.h"

namespace ember::ops {

// -- views ---------------------------------------------------------------------------------
// shape may hold one -1, inferred from the numel. view raises when the strides do not allow a
// view; reshape then copies.
Tensor view(const Tensor& t, const Shape& shape);
Tensor reshape(const Tensor& t, const Shape& shape);
Tensor permute(const Tensor& t, const Shape& dims);
Tensor transpose(const Tensor& t, int64_t dim0, int64_t dim1);
Tensor t(const Tensor& t);  // transpose of a tensor of at most 2 dims
Tensor movedim(const Tensor& t, const Shape& source, const Shape& destination);
// sizes may have more dims than t (new leading dims); -1 keeps a size.
Tensor expand(const Tensor& t, const Shape& sizes);
Tensor squeeze(const Tensor& t);                     // every dim of size 1
Tensor squeeze(const Tensor& t, const Shape& dims);  // those of dims that have size 1
Tensor unsqueeze(const Tensor& t, int64_t dim);
Tensor flatten(const Tensor& t, int64_t start_dim = 0, int64_t end_dim = -1);
Tensor unflatten(const Tensor& t, int64_t dim, const Shape& sizes);
Tensor narrow(const Tensor& t, int64_t dim, int64_t start, int64_t length);
Tensor select(const Tensor& t, int64_t dim, int64_t index);
// Python's slice semantics on one dim: missing bounds mean "from the end in the direction of
// step", bounds are clamped, step may be negative but not zero.
Tensor slice(const Tensor& t, int64_t dim, std::optional<int64_t> start,
             std::optional<int64_t> stop, int64_t step = 1);
Tensor diagonal(const Tensor& t, int64_t offset = 0, int64_t dim1 = 0, int64_t dim2 = 1);

// -- indexing (copies) ---------------------------------------------------------------------
// Advanced indexing: indices[i] applies to the next dim(s) of t; nullopt keeps a
// dim whole, an integer tensor picks along one dim, a bool (or uint8) mask covers as many dims
// as it has. The integer indices broadcast together; the result puts their broadcast shape in
// place of the indexed dims when those are adjacent, and first otherwise (numpy's rule).
Tensor index(const Tensor& t, const std::vector<std::optional<Tensor>>& indices);
// t[indices] = values, values broadcast to the shape index() would return and converted to
// t's dtype. With repeated indices the last write wins, or, with accumulate, every value is
// added (in the order of the indices, on every device, so the sums are deterministic).
void index_put_(const Tensor& t, const std::vector<std::optional<Tensor>>& indices,
                const Tensor& values, bool accumulate = false);
Tensor index_select(const Tensor& t, int64_t dim, const Tensor& index);
// value: a 0-d tensor (converted to t's dtype). mask: bool, broadcastable.
Tensor masked_fill(const Tensor& t, const Tensor& mask, const Tensor& value);
void masked_fill_(const Tensor& t, const Tensor& mask, const Tensor& value);
Tensor nonzero(const Tensor& t);  // int64 (count, ndim)
Tensor flip(const Tensor& t, const Shape& dims);

// -- joins and splits ----------------------------------------------------------------------
// cat promotes dtypes like PyTorch and skips legacy empty 1-D tensors of shape (0,).
Tensor cat(const std::vector<Tensor>& tensors, int64_t dim = 0);
Tensor stack(const std::vector<Tensor>& tensors, int64_t dim = 0);
std::vector<Tensor> split(const Tensor& t, int64_t split_size, int64_t dim = 0);
std::vector<Tensor> split_with_sizes(const Tensor& t, const Shape& sizes, int64_t dim = 0);
std::vector<Tensor> chunk(const Tensor& t, int64_t chunks, int64_t dim = 0);
std::vector<Tensor> unbind(const Tensor& t, int64_t dim = 0);

}  // namespace ember::ops
