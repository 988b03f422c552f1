// CPU elementwise kernels. The op layer (core/ops/elementwise.cc) has already broadcast the
// operands, converted the inputs to the dtype the op computes in and allocated the output.
#pragma once

#include <cstddef>

#include "core/tensor_iter.h"
#include "cpu/dispatch.h"
#include "ember/ops/elementwise.h"

namespace ember::cpu {

// iter operands: (out, x); x has dtype `dtype`; out has dtype bool for LogicalNot, IsNan, IsInf
// and IsFinite, and `dtype` otherwise.
using unary_fn = void (*)(const TensorIter& iter, ops::UnaryOp op, DType dtype);
EMBER_DECLARE_DISPATCH(unary_fn, unary_stub);

// What a binary kernel found wrong in its integer inputs (it writes 0 there instead of crashing).
enum class BinaryStatus : int { Ok = 0, DivisionByZero = 1, NegativePower = 2 };

// iter operands: (out, a, b); a and b have dtype `dtype`; out has dtype bool for comparisons
// and `dtype` otherwise. Gt/Ge and the logical ops are not kernels: the op layer rewrites them
// as Lt/Le with swapped operands and as bitwise ops on bool.
using binary_fn = BinaryStatus (*)(const TensorIter& iter, ops::BinaryOp op, DType dtype);
EMBER_DECLARE_DISPATCH(binary_fn, binary_stub);

// iter operands: (out, cond, a, b); cond is bool, the others have the same dtype, whose size
// in bytes is itemsize.
using where_fn = void (*)(const TensorIter& iter, size_t itemsize);
EMBER_DECLARE_DISPATCH(where_fn, where_stub);

}  // namespace ember::cpu
