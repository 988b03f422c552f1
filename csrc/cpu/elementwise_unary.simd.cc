// Unary elementwise kernels, compiled once per instruction set.
#include <cmath>

#include "cpu/elementwise.h"
#include "cpu/elementwise_loops.h"
#include "cpu/elementwise_math.h"

namespace ember::cpu {
namespace EMBER_CPU_NS {
namespace {

using ops::UnaryOp;

// Each helper runs f (a generic lambda) with the input's C++ type, over the dtypes it names.
template <class F>
void floating(const TensorIter& iter, DType dtype, const char* name, const F& f,
              int64_t grain = kCostlyGrain) {
  EMBER_DISPATCH_FLOATING(dtype, name, [&] { unary_loop<scalar_t, scalar_t>(iter, f, grain); });
}
template <class F>
void numeric(const TensorIter& iter, DType dtype, const char* name, const F& f) {
  EMBER_DISPATCH_NUMERIC(dtype, name, [&] { unary_loop<scalar_t, scalar_t>(iter, f); });
}
template <class F>
void predicate(const TensorIter& iter, DType dtype, const char* name, const F& f) {
  EMBER_DISPATCH_ALL(dtype, name, [&] { unary_loop<bool, scalar_t>(iter, f); });
}
template <class F>
void float_predicate(const TensorIter& iter, DType dtype, const char* name, const F& f) {
  EMBER_DISPATCH_FLOATING(dtype, name, [&] { unary_loop<bool, scalar_t>(iter, f); });
}

void unary_kernel(const TensorIter& iter, UnaryOp op, DType dtype) {
  const char* name = ops::op_name(op);
  switch (op) {
    case UnaryOp::Neg: return numeric(iter, dtype, name, [](auto x) { return scalar::neg(x); });
    case UnaryOp::Abs:
      return numeric(iter, dtype, name, [](auto x) { return scalar::abs_value(x); });
    case UnaryOp::Square:
      return numeric(iter, dtype, name, [](auto x) { return scalar::mul(x, x); });
    case UnaryOp::Sign: return numeric(iter, dtype, name, [](auto x) { return scalar::sign(x); });
    case UnaryOp::Relu: return numeric(iter, dtype, name, [](auto x) { return scalar::relu(x); });
    case UnaryOp::Exp: return floating(iter, dtype, name, [](auto x) { return math::exp(x); });
    case UnaryOp::Log: return floating(iter, dtype, name, [](auto x) { return math::log(x); });
    case UnaryOp::Tanh: return floating(iter, dtype, name, [](auto x) { return math::tanh(x); });
    case UnaryOp::Sigmoid:
      return floating(iter, dtype, name, [](auto x) { return math::sigmoid(x); });
    case UnaryOp::Log1p: return floating(iter, dtype, name, [](auto x) { return math::log1p(x); });
    case UnaryOp::Expm1: return floating(iter, dtype, name, [](auto x) { return math::expm1(x); });
    case UnaryOp::Sin: return floating(iter, dtype, name, [](auto x) { return std::sin(x); });
    case UnaryOp::Cos: return floating(iter, dtype, name, [](auto x) { return std::cos(x); });
    case UnaryOp::Sqrt:
      return floating(iter, dtype, name, [](auto x) { return std::sqrt(x); }, kGrainSize);
    case UnaryOp::Rsqrt:
      return floating(iter, dtype, name, [](auto x) { return decltype(x)(1) / std::sqrt(x); });
    case UnaryOp::Reciprocal:
      return floating(iter, dtype, name, [](auto x) { return decltype(x)(1) / x; }, kGrainSize);
    case UnaryOp::Floor:
      return floating(iter, dtype, name, [](auto x) { return std::floor(x); }, kGrainSize);
    case UnaryOp::Ceil:
      return floating(iter, dtype, name, [](auto x) { return std::ceil(x); }, kGrainSize);
    case UnaryOp::Trunc:
      return floating(iter, dtype, name, [](auto x) { return std::trunc(x); }, kGrainSize);
    case UnaryOp::Round:
      return floating(iter, dtype, name, [](auto x) { return scalar::round_half_even(x); },
                      kGrainSize);
    case UnaryOp::IsNan:
      return float_predicate(iter, dtype, name, [](auto x) { return scalar::is_nan(x); });
    case UnaryOp::IsInf:
      return float_predicate(iter, dtype, name, [](auto x) { return scalar::is_inf(x); });
    case UnaryOp::IsFinite:
      return float_predicate(iter, dtype, name, [](auto x) { return scalar::is_finite(x); });
    case UnaryOp::LogicalNot: return predicate(iter, dtype, name, [](auto x) { return !x; });
    case UnaryOp::BitwiseNot:
      return EMBER_DISPATCH_INTEGRAL_AND_BOOL(dtype, name, [&] {
        unary_loop<scalar_t, scalar_t>(iter, [](scalar_t x) { return scalar::bitwise_not(x); });
      });
  }
}

}  // namespace
}  // namespace EMBER_CPU_NS

EMBER_REGISTER_DISPATCH(unary_stub, &EMBER_CPU_NS::unary_kernel);

}  // namespace ember::cpu
