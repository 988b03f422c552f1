// Matrix products with numpy's/PyTorch's semantics. Both operands must have the same dtype
// (numeric, not bool); outer promotes like PyTorch's elementwise product.
#pragma once

#include "ember/tensor.h"

namespace ember::ops {

// 1-D @ 1-D -> 0-d; 1-D @ N-D and N-D @ 1-D treat the vector as a row / column and drop that
// dim again; otherwise the leading (batch) dims broadcast.
Tensor matmul(const Tensor& a, const Tensor& b);
Tensor mm(const Tensor& a, const Tensor& b);     // (n, k) @ (k, m)
Tensor bmm(const Tensor& a, const Tensor& b);    // (b, n, k) @ (b, k, m)
Tensor dot(const Tensor& a, const Tensor& b);    // (n,) . (n,) -> 0-d
Tensor mv(const Tensor& a, const Tensor& b);     // (n, k) @ (k,)
Tensor outer(const Tensor& a, const Tensor& b);  // (n,) x (m,) -> (n, m)

}  // namespace ember::ops
