// Reduction kernels. The op layer lays the input out as a contiguous (outer, reduce, inner)
// block: element (o, r, i) lives at x[(o * reduce + r) * inner + i], and the result at
// out[o * inner + i]. inner == 1 reduces contiguous rows; inner > 1 reduces an outer dim with
// the contiguous inner dim vectorized. reduce_stub (and cuda::reduce) also takes a second reduced
// dim innermost, tail > 1: element (o, r, i, q) at x[((o * reduce + r) * inner + i) * tail + q],
// so a (N, C, H, W) -> (C,) sum needs no transposing copy.
#pragma once

#include <cstdint>

#include "cpu/dispatch.h"
#include "ember/dtype.h"

namespace ember::cpu {

struct ReduceShape {
  int64_t outer = 1, reduce = 1, inner = 1;
  int64_t tail = 1;  // reduce_stub and cuda::reduce only; the other kernels take tail == 1
};

enum class ReduceKind : int {
  Sum, Prod, Max, Min, All, Any,  // sum/prod of bool and integers give int64, All/Any bool
  Mean, NormP, Norm0, Norm1, Norm2, NormInf, NormNegInf,  // floating only, result in the input dtype
  Var, Std,   // aux receives the mean; param is the correction
  LogSumExp,  // aux is scratch for the maxima
};

// out's dtype: int64 for Sum/Prod of bool or integers, bool for All/Any, the input's otherwise.
using reduce_fn = void (*)(ReduceKind kind, DType dtype, const void* x, void* out, void* aux,
                           ReduceShape shape, double param);
EMBER_DECLARE_DISPATCH(reduce_fn, reduce_stub);

// Along the reduce dim: values (of the input dtype; may be null) and int64 indices of the max
// (is_max) or min, the first occurrence winning and NaN beating every number.
using arg_reduce_fn = void (*)(bool is_max, DType dtype, const void* x, void* values,
                               int64_t* indices, ReduceShape shape);
EMBER_DECLARE_DISPATCH(arg_reduce_fn, arg_reduce_stub);

// Running sum (or product) along the reduce dim into out of the same (outer, reduce, inner)
// layout; out is int64 for bool and integer inputs.
using scan_fn = void (*)(bool is_prod, DType dtype, const void* x, void* out, ReduceShape shape);
EMBER_DECLARE_DISPATCH(scan_fn, scan_stub);

}  // namespace ember::cpu
