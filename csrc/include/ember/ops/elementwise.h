// Elementwise ops with numpy broadcasting and PyTorch's type promotion.
//
// Result dtypes: the promoted dtype of the operands, where a zero-dim tensor only counts when it
// is of a higher category (bool < integer < floating) than the tensors with dims; float
// functions (exp, log, sqrt, ...) and true division turn integer/bool inputs into float32;
// comparisons, logical ops and isnan/isinf/isfinite give bool.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <type_traits>

#include "ember/tensor.h"

namespace ember::ops {

enum class UnaryOp : uint8_t {
  Neg, Abs, Exp, Log, Log1p, Expm1, Sqrt, Rsqrt, Sin, Cos, Tanh, Sigmoid, Relu, Sign, Floor,
  Ceil, Round, Trunc, Reciprocal, Square, LogicalNot, BitwiseNot, IsNan, IsInf, IsFinite,
};

enum class BinaryOp : uint8_t {
  Add, Sub, Mul, Div, FloorDiv, TruncDiv, Remainder, Pow, Maximum, Minimum,
  Eq, Ne, Lt, Le, Gt, Ge, LogicalAnd, LogicalOr, LogicalXor, BitwiseAnd, BitwiseOr, BitwiseXor,
};

const char* op_name(UnaryOp op);   // PyTorch's name: "exp", "neg", ...
const char* op_name(BinaryOp op);  // "add", "floor_divide", "eq", ...

// The dtype PyTorch gives an op over these operands before op-specific rules.
DType result_type(std::initializer_list<const Tensor*> operands);
// Whether a value of dtype `from` may be written into a tensor of dtype `to` in place
// (no float -> integer, no integer -> bool).
bool can_cast(DType from, DType to);

Tensor unary(UnaryOp op, const Tensor& x);
void unary_(UnaryOp op, const Tensor& self);  // in place

Tensor binary(BinaryOp op, const Tensor& a, const Tensor& b);
// In place into self; self's shape must be the broadcast shape and the result type must be
// castable to self's dtype.
void binary_(BinaryOp op, const Tensor& self, const Tensor& other);

// cond ? a : b, broadcast over all three; cond must be bool.
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);

// min(max(x, lo), hi); at least one bound must be given.
Tensor clamp(const Tensor& x, const std::optional<Tensor>& lo, const std::optional<Tensor>& hi);
void clamp_(const Tensor& self, const std::optional<Tensor>& lo, const std::optional<Tensor>& hi);

// A zero-dim tensor holding value converted to dtype: how Python scalars become operands.
template <class T, class = std::enable_if_t<std::is_arithmetic_v<T>>>
Tensor scalar_tensor(T value, DType dtype) {
  Tensor t = Tensor::empty({}, dtype);
  EMBER_DISPATCH_ALL(dtype, "scalar_tensor",
                     [&] { *t.data<scalar_t>() = static_cast<scalar_t>(value); });
  return t;
}

}  // namespace ember::ops
