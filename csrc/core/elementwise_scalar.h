// The per-element semantics of the elementwise ops, one definition for the CPU kernels
// (cpu/elementwise_*.simd.cc) and the CUDA kernels (cuda/elementwise.cu): integer wrap-around,
// Python's floor division and remainder, PyTorch's integer pow, NaN rules of maximum/minimum,
// sign, relu, round-half-to-even, the stable sigmoid. The CPU's vectorized transcendental
// functions (cpu/elementwise_math.h) stay CPU-only; each backend passes its own exp to sigmoid.
//
// Integer ops whose input is invalid (division by zero, a negative exponent) set `bad` and
// return 0 instead of trapping; the caller decides what to report.
//
// Everything lands in a namespace of the including file: the per-ISA namespace of a *.simd.cc
// (so its three compilations never share a symbol, see cpu/dispatch.h), ember::cuda otherwise.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "ember/host_device.h"
#include "ember/ops/elementwise.h"

// Integer dtypes and bool (bitwise ops).
#define EMBER_DISPATCH_INTEGRAL_AND_BOOL(dtype, op, ...)                   \
  EMBER_DISPATCH_SWITCH(dtype, op,                                         \
                        EMBER_DISPATCH_CASE(Bool, bool, __VA_ARGS__)       \
                        EMBER_DISPATCH_CASE(UInt8, uint8_t, __VA_ARGS__)   \
                        EMBER_DISPATCH_CASE(Int32, int32_t, __VA_ARGS__)   \
                        EMBER_DISPATCH_CASE(Int64, int64_t, __VA_ARGS__))

#if defined(EMBER_CPU_CAPABILITY)
#include "cpu/dispatch.h"
#define EMBER_SCALAR_HOME cpu::EMBER_CPU_NS
#else
#define EMBER_SCALAR_HOME cuda
#endif

// name##_(float) and name##_(double) calling the C function of each precision, which exists on
// the host and in device code alike (overload resolution of std:: names in device code does not).
#define EMBER_SCALAR_MATH1(name)                                                           \
  EMBER_HOST_DEVICE inline float name##_(float x) { return ::name##f(x); }                 \
  EMBER_HOST_DEVICE inline double name##_(double x) { return ::name(x); }
#define EMBER_SCALAR_MATH2(name)                                                           \
  EMBER_HOST_DEVICE inline float name##_(float x, float y) { return ::name##f(x, y); }     \
  EMBER_HOST_DEVICE inline double name##_(double x, double y) { return ::name(x, y); }

namespace ember::EMBER_SCALAR_HOME::scalar {

EMBER_SCALAR_MATH1(fabs)
EMBER_SCALAR_MATH1(floor)
EMBER_SCALAR_MATH1(trunc)
EMBER_SCALAR_MATH1(nearbyint)
EMBER_SCALAR_MATH2(fmod)
EMBER_SCALAR_MATH2(copysign)
EMBER_SCALAR_MATH2(pow)

// Integer arithmetic that wraps around like PyTorch's instead of overflowing into undefined
// behaviour: signed types compute in their unsigned twin. Floats and bool compute as they are
// (bool + bool is logical or, bool * bool logical and).
template <class T> struct WrapType { using type = T; };
template <> struct WrapType<int32_t> { using type = uint32_t; };
template <> struct WrapType<int64_t> { using type = uint64_t; };
template <class T> using wrap_t = typename WrapType<T>::type;

template <class T>
EMBER_HOST_DEVICE inline T add(T a, T b) { return T(wrap_t<T>(a) + wrap_t<T>(b)); }
template <class T>
EMBER_HOST_DEVICE inline T sub(T a, T b) { return T(wrap_t<T>(a) - wrap_t<T>(b)); }
template <class T>
EMBER_HOST_DEVICE inline T mul(T a, T b) { return T(wrap_t<T>(a) * wrap_t<T>(b)); }
template <class T>
EMBER_HOST_DEVICE inline T neg(T a) { return T(wrap_t<T>(0) - wrap_t<T>(a)); }

// --- unary -----------------------------------------------------------------------------------

template <class T>
EMBER_HOST_DEVICE inline T abs_value(T x) {
  if constexpr (std::is_floating_point_v<T>) return fabs_(x);
  else if constexpr (std::is_unsigned_v<T>) return x;
  else return x < 0 ? neg(x) : x;
}

template <class T>
EMBER_HOST_DEVICE inline T sign(T x) {
  if constexpr (std::is_unsigned_v<T>) return T(x != 0);
  else return T((T(0) < x) - (x < T(0)));
}

// NaN passes through, as in PyTorch.
template <class T>
EMBER_HOST_DEVICE inline T relu(T x) {
  if constexpr (std::is_unsigned_v<T>) return x;
  else return x < T(0) ? T(0) : x;
}

// Half to even, like numpy and PyTorch.
template <class T> EMBER_HOST_DEVICE inline T round_half_even(T x) { return nearbyint_(x); }

template <class T> EMBER_HOST_DEVICE inline bool is_nan(T x) { return x != x; }
template <class T>
EMBER_HOST_DEVICE inline bool is_inf(T x) {
  return fabs_(x) == std::numeric_limits<T>::infinity();
}
template <class T>
EMBER_HOST_DEVICE inline bool is_finite(T x) {
  return fabs_(x) < std::numeric_limits<T>::infinity();
}

template <class T>
EMBER_HOST_DEVICE inline T bitwise_not(T x) {
  if constexpr (std::is_same_v<T, bool>) return !x;
  else return T(~x);
}

// e / (1 + e) with e = exp(-|x|) for negative x, so that tiny results do not come out as
// 1 / (1 + inf) = 0; `exp` is the backend's exponential.
template <class T, class Exp>
EMBER_HOST_DEVICE inline T sigmoid(T x, const Exp& exp) {
  const T e = exp(x < T(0) ? x : -x);
  return (x < T(0) ? e : T(1)) / (T(1) + e);
}

// --- binary ----------------------------------------------------------------------------------

// Python's floor division and modulo: the remainder takes the divisor's sign. Floats follow
// PyTorch's (and numpy's) formulation through fmod, which is exact.
template <class T>
EMBER_HOST_DEVICE inline T floor_divide(T a, T b, bool& bad) {
  if constexpr (std::is_floating_point_v<T>) {
    if (b == 0) return a / b;
    const T mod = fmod_(a, b);
    T div = (a - mod) / b;
    if (mod != 0 && (b < 0) != (mod < 0)) div -= T(1);
    if (div == 0) return copysign_(T(0), a / b);
    T floor_div = floor_(div);
    if (div - floor_div > T(0.5)) floor_div += T(1);
    return floor_div;
  } else {
    if (b == 0) return bad = true, T(0);
    if constexpr (std::is_signed_v<T>) {
      if (b == -1) return neg(a);  // INT_MIN / -1 traps in hardware
      const T q = a / b;
      return (a % b != 0 && ((a < 0) != (b < 0))) ? T(q - 1) : q;
    } else {
      return T(a / b);
    }
  }
}

template <class T>
EMBER_HOST_DEVICE inline T remainder(T a, T b, bool& bad) {
  if constexpr (std::is_floating_point_v<T>) {
    T mod = fmod_(a, b);
    if (mod != 0 && (b < 0) != (mod < 0)) mod += b;
    return mod;
  } else {
    if (b == 0) return bad = true, T(0);
    if constexpr (std::is_signed_v<T>) {
      if (b == -1) return T(0);
      const T mod = a % b;
      return (mod != 0 && ((mod < 0) != (b < 0))) ? T(mod + b) : mod;
    } else {
      return T(a % b);
    }
  }
}

template <class T>
EMBER_HOST_DEVICE inline T trunc_divide(T a, T b, bool& bad) {
  if constexpr (std::is_floating_point_v<T>) {
    return trunc_(a / b);
  } else {
    if (b == 0) return bad = true, T(0);
    if constexpr (std::is_signed_v<T>) {
      if (b == -1) return neg(a);
    }
    return T(a / b);
  }
}

// bad: a negative integer exponent. bool ** bool is PyTorch's: x ** False is True.
template <class T>
EMBER_HOST_DEVICE inline T power(T base, T exponent, bool& bad) {
  if constexpr (std::is_floating_point_v<T>) {
    return pow_(base, exponent);
  } else if constexpr (std::is_same_v<T, bool>) {
    return exponent ? base : true;
  } else {
    if constexpr (std::is_signed_v<T>) {
      if (exponent < 0) return bad = true, T(0);
    }
    T result = 1;
    for (; exponent != 0; exponent = T(exponent >> 1)) {  // by squaring, wrapping on overflow
      if (exponent & 1) result = mul(result, base);
      base = mul(base, base);
    }
    return result;
  }
}

// NaN-propagating, like PyTorch's maximum/minimum.
template <class T>
EMBER_HOST_DEVICE inline T maximum(T a, T b) { return (a > b || a != a) ? a : b; }
template <class T>
EMBER_HOST_DEVICE inline T minimum(T a, T b) { return (a < b || a != a) ? a : b; }

// The comparison kernels: Gt and Ge arrive as Lt and Le with swapped operands (op layer).
template <ops::BinaryOp Op, class T>
EMBER_HOST_DEVICE inline bool compare(T a, T b) {
  static_assert(Op == ops::BinaryOp::Eq || Op == ops::BinaryOp::Ne || Op == ops::BinaryOp::Lt ||
                Op == ops::BinaryOp::Le);
  if constexpr (Op == ops::BinaryOp::Eq) return a == b;
  else if constexpr (Op == ops::BinaryOp::Ne) return a != b;
  else if constexpr (Op == ops::BinaryOp::Lt) return a < b;
  else return a <= b;
}

}  // namespace ember::EMBER_SCALAR_HOME::scalar
