// How the GEMM kernels (cpu::gemm, cuda::gemm) read a matrix tensor: row-major rows of `ld`
// elements, possibly transposed. Shared by the op layer's gemm and matmul.
#pragma once

#include <algorithm>
#include <cstdint>

#include "ember/ops/copy.h"
#include "ember/tensor.h"

namespace ember::ops {

struct MatrixView {
  Tensor storage;  // t itself, or its contiguous copy when one was needed
  int64_t ld;
  bool transposed;
};

// The matrices of t (its last two dims; any batch dims keep their strides) in place when either
// dim has a unit stride and the other one steps over whole rows (a column-major matrix is the
// transpose of a row-major one: `a @ b.T`, `x.mT` cost no copy); otherwise a contiguous copy.
inline MatrixView matrix_view(const Tensor& t) {
  const int64_t rows = t.size(-2), cols = t.size(-1);
  const int64_t s0 = t.stride(-2), s1 = t.stride(-1);
  const int64_t row_ld = rows <= 1 ? std::max<int64_t>(cols, 1) : s0;
  if ((cols <= 1 || s1 == 1) && row_ld >= std::max<int64_t>(cols, 1)) return {t, row_ld, false};
  const int64_t col_ld = cols <= 1 ? std::max<int64_t>(rows, 1) : s1;
  if ((rows <= 1 || s0 == 1) && col_ld >= std::max<int64_t>(rows, 1)) return {t, col_ld, true};
  return {contiguous(t), std::max<int64_t>(cols, 1), false};
}

}  // namespace ember::ops
