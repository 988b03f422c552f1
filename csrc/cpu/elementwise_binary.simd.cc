// Binary elementwise kernels and where(), compiled once per instruction set.
#include <atomic>
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "cpu/elementwise.h"
#include "cpu/elementwise_loops.h"
#include "cpu/elementwise_math.h"

namespace ember::cpu {
namespace EMBER_CPU_NS {
namespace {

using ops::BinaryOp;

// Integer kernels report bad inputs here (from any thread) and write 0 for them.
struct Status {
  std::atomic<int> value{0};
  void raise(BinaryStatus s) { value.store(static_cast<int>(s), std::memory_order_relaxed); }
  BinaryStatus get() const { return static_cast<BinaryStatus>(value.load()); }
};

template <class F>
void same_all(const TensorIter& iter, DType dtype, const char* name, const F& f) {
  EMBER_DISPATCH_ALL(dtype, name, [&] { binary_loop<scalar_t, scalar_t>(iter, f); });
}
template <class F>
void same_numeric(const TensorIter& iter, DType dtype, const char* name, const F& f,
                  int64_t grain = kGrainSize) {
  EMBER_DISPATCH_NUMERIC(dtype, name, [&] { binary_loop<scalar_t, scalar_t>(iter, f, grain); });
}
template <class F>
void compare(const TensorIter& iter, DType dtype, const char* name, const F& f) {
  EMBER_DISPATCH_ALL(dtype, name, [&] { binary_loop<bool, scalar_t>(iter, f); });
}
template <class F>
void bitwise(const TensorIter& iter, DType dtype, const char* name, const F& f) {
  EMBER_DISPATCH_INTEGRAL_AND_BOOL(dtype, name,
                                   [&] { binary_loop<scalar_t, scalar_t>(iter, f); });
}

// Python's floor division and modulo: the remainder takes the divisor's sign. Floats follow
// PyTorch's (and numpy's) formulation through fmod, which is exact.
template <class T>
T floor_divide(T a, T b, Status& status) {
  if constexpr (std::is_floating_point_v<T>) {
    if (b == 0) return a / b;
    const T mod = std::fmod(a, b);
    T div = (a - mod) / b;
    if (mod != 0 && (b < 0) != (mod < 0)) div -= T(1);
    if (div == 0) return std::copysign(T(0), a / b);
    T floor_div = std::floor(div);
    if (div - floor_div > T(0.5)) floor_div += T(1);
    return floor_div;
  } else {
    if (b == 0) return status.raise(BinaryStatus::DivisionByZero), T(0);
    if constexpr (std::is_signed_v<T>) {
      if (b == -1) return math::neg(a);  // INT_MIN / -1 traps in hardware
      const T q = a / b;
      return (a % b != 0 && ((a < 0) != (b < 0))) ? T(q - 1) : q;
    } else {
      return T(a / b);
    }
  }
}

template <class T>
T remainder(T a, T b, Status& status) {
  if constexpr (std::is_floating_point_v<T>) {
    T mod = std::fmod(a, b);
    if (mod != 0 && (b < 0) != (mod < 0)) mod += b;
    return mod;
  } else {
    if (b == 0) return status.raise(BinaryStatus::DivisionByZero), T(0);
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
T trunc_divide(T a, T b, Status& status) {
  if constexpr (std::is_floating_point_v<T>) {
    return std::trunc(a / b);
  } else {
    if (b == 0) return status.raise(BinaryStatus::DivisionByZero), T(0);
    if constexpr (std::is_signed_v<T>) {
      if (b == -1) return math::neg(a);
    }
    return T(a / b);
  }
}

template <class T>
T power(T base, T exponent, Status& status) {
  if constexpr (std::is_floating_point_v<T>) {
    return std::pow(base, exponent);
  } else {
    if constexpr (std::is_signed_v<T>) {
      if (exponent < 0) return status.raise(BinaryStatus::NegativePower), T(0);
    }
    T result = 1;
    for (; exponent != 0; exponent = T(exponent >> 1)) {  // by squaring, wrapping on overflow
      if (exponent & 1) result = math::mul(result, base);
      base = math::mul(base, base);
    }
    return result;
  }
}

// NaN-propagating, like PyTorch's maximum/minimum.
template <class T>
T maximum(T a, T b) { return (a > b || a != a) ? a : b; }
template <class T>
T minimum(T a, T b) { return (a < b || a != a) ? a : b; }

// The integer ops that can fail, each as f(a, b, status).
template <class F>
BinaryStatus checked(const TensorIter& iter, DType dtype, const char* name, const F& f) {
  Status status;
  same_numeric(iter, dtype, name, [&](auto a, auto b) { return f(a, b, status); }, kCostlyGrain);
  return status.get();
}

BinaryStatus binary_kernel(const TensorIter& iter, BinaryOp op, DType dtype) {
  const char* name = ops::op_name(op);
  switch (op) {
    case BinaryOp::Add:
      same_all(iter, dtype, name, [](auto a, auto b) { return math::add(a, b); });
      break;
    case BinaryOp::Sub:
      same_numeric(iter, dtype, name, [](auto a, auto b) { return math::sub(a, b); });
      break;
    case BinaryOp::Mul:
      same_all(iter, dtype, name, [](auto a, auto b) { return math::mul(a, b); });
      break;
    case BinaryOp::Div:
      EMBER_DISPATCH_FLOATING(dtype, name, [&] {
        binary_loop<scalar_t, scalar_t>(iter, [](scalar_t a, scalar_t b) { return a / b; });
      });
      break;
    case BinaryOp::Maximum:
      same_all(iter, dtype, name, [](auto a, auto b) { return maximum(a, b); });
      break;
    case BinaryOp::Minimum:
      same_all(iter, dtype, name, [](auto a, auto b) { return minimum(a, b); });
      break;
    case BinaryOp::FloorDiv:
      return checked(iter, dtype, name,
                     [](auto a, auto b, Status& s) { return floor_divide(a, b, s); });
    case BinaryOp::TruncDiv:
      return checked(iter, dtype, name,
                     [](auto a, auto b, Status& s) { return trunc_divide(a, b, s); });
    case BinaryOp::Remainder:
      return checked(iter, dtype, name,
                     [](auto a, auto b, Status& s) { return remainder(a, b, s); });
    case BinaryOp::Pow:
      if (dtype == DType::Bool) {  // as PyTorch's bool ** bool scalar: x ** False is True
        binary_loop<bool, bool>(iter, [](bool a, bool b) { return b ? a : true; });
        break;
      }
      return checked(iter, dtype, name,
                     [](auto a, auto b, Status& s) { return power(a, b, s); });
    case BinaryOp::Eq: compare(iter, dtype, name, [](auto a, auto b) { return a == b; }); break;
    case BinaryOp::Ne: compare(iter, dtype, name, [](auto a, auto b) { return a != b; }); break;
    case BinaryOp::Lt: compare(iter, dtype, name, [](auto a, auto b) { return a < b; }); break;
    case BinaryOp::Le: compare(iter, dtype, name, [](auto a, auto b) { return a <= b; }); break;
    case BinaryOp::BitwiseAnd:
      bitwise(iter, dtype, name, [](auto a, auto b) { return decltype(a)(a & b); });
      break;
    case BinaryOp::BitwiseOr:
      bitwise(iter, dtype, name, [](auto a, auto b) { return decltype(a)(a | b); });
      break;
    case BinaryOp::BitwiseXor:
      bitwise(iter, dtype, name, [](auto a, auto b) { return decltype(a)(a ^ b); });
      break;
    case BinaryOp::Gt: case BinaryOp::Ge:
    case BinaryOp::LogicalAnd: case BinaryOp::LogicalOr: case BinaryOp::LogicalXor:
      throw Error(detail::concat(name, ": rewritten by the op layer, not a kernel"));
  }
  return BinaryStatus::Ok;
}

template <class T>
void where_rows(const TensorIter& iter) {
  iter.for_each([](char** data, const int64_t* strides, int64_t n) {
    if (strides[0] == sizeof(T) && strides[1] == 1 && strides[2] == sizeof(T) &&
        strides[3] == sizeof(T)) {
      T* out = reinterpret_cast<T*>(data[0]);
      const bool* cond = reinterpret_cast<const bool*>(data[1]);
      const T* a = reinterpret_cast<const T*>(data[2]);
      const T* b = reinterpret_cast<const T*>(data[3]);
      for (int64_t i = 0; i < n; ++i) out[i] = cond[i] ? a[i] : b[i];
    } else {
      for (int64_t i = 0; i < n; ++i)
        *reinterpret_cast<T*>(data[0] + i * strides[0]) =
            load<bool>(data[1] + i * strides[1]) ? load<T>(data[2] + i * strides[2])
                                                 : load<T>(data[3] + i * strides[3]);
    }
  });
}

// where only moves bytes, so one instantiation per element size serves every dtype.
void where_kernel(const TensorIter& iter, size_t itemsize) {
  switch (itemsize) {
    case 1: return where_rows<uint8_t>(iter);
    case 4: return where_rows<uint32_t>(iter);
    case 8: return where_rows<uint64_t>(iter);
    default: throw Error(detail::concat("where: unsupported element size ", itemsize));
  }
}

}  // namespace
}  // namespace EMBER_CPU_NS

EMBER_REGISTER_DISPATCH(binary_stub, &EMBER_CPU_NS::binary_kernel);
EMBER_REGISTER_DISPATCH(where_stub, &EMBER_CPU_NS::where_kernel);

}  // namespace ember::cpu
