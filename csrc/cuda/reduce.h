// Reduction kernels on a CUDA device, with the CPU kernels' layout, dtypes and results (see
// cpu/reduce.h): the op layer lays the input out as a contiguous (outer, reduce, inner) block,
// or (outer, reduce, inner, tail) for reduce, once and hands it to either backend. Host-only
// declarations; all pointers are device memory.
#pragma once

#include <cstdint>

#include "cpu/reduce.h"
#include "ember/dtype.h"

namespace ember::cuda {

using cpu::ReduceKind;
using cpu::ReduceShape;

// As cpu::reduce_stub: out (and aux, for Var/Std/LogSumExp) hold outer * inner values; a
// tail > 1 is read in place.
void reduce(ReduceKind kind, DType dtype, const void* x, void* out, void* aux, ReduceShape shape,
            double param);

// As cpu::arg_reduce_stub: values (may be null) and int64 indices of the max or min; tail == 1.
void arg_reduce(bool is_max, DType dtype, const void* x, void* values, int64_t* indices,
                ReduceShape shape);

// As cpu::scan_stub: running sums or products along the reduce dim.
void scan(bool is_prod, DType dtype, const void* x, void* out, ReduceShape shape);

}  // namespace ember::cuda
