// Binary elementwise kernels and where(), compiled once per instruction set.
#include <atomic>
#include <cstdint>

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
template <BinaryOp Op>
void compare(const TensorIter& iter, DType dtype, const char* name) {
  EMBER_DISPATCH_ALL(dtype, name, [&] {
    binary_loop<bool, scalar_t>(iter,
                                [](scalar_t a, scalar_t b) { return scalar::compare<Op>(a, b); });
  });
}
template <class F>
void bitwise(const TensorIter& iter, DType dtype, const char* name, const F& f) {
  EMBER_DISPATCH_INTEGRAL_AND_BOOL(dtype, name,
                                   [&] { binary_loop<scalar_t, scalar_t>(iter, f); });
}

// The integer ops that can fail, each as f(a, b, bad), reporting `failure` when one does.
template <class F>
BinaryStatus checked(const TensorIter& iter, DType dtype, const char* name, BinaryStatus failure,
                     const F& f) {
  Status status;
  same_numeric(
      iter, dtype, name,
      [&](auto a, auto b) {
        bool bad = false;
        const auto result = f(a, b, bad);
        if (bad) status.raise(failure);
        return result;
      },
      kCostlyGrain);
  return status.get();
}

BinaryStatus binary_kernel(const TensorIter& iter, BinaryOp op, DType dtype) {
  const char* name = ops::op_name(op);
  switch (op) {
    case BinaryOp::Add:
      same_all(iter, dtype, name, [](auto a, auto b) { return scalar::add(a, b); });
      break;
    case BinaryOp::Sub:
      same_numeric(iter, dtype, name, [](auto a, auto b) { return scalar::sub(a, b); });
      break;
    case BinaryOp::Mul:
      same_all(iter, dtype, name, [](auto a, auto b) { return scalar::mul(a, b); });
      break;
    case BinaryOp::Div:
      EMBER_DISPATCH_FLOATING(dtype, name, [&] {
        binary_loop<scalar_t, scalar_t>(iter, [](scalar_t a, scalar_t b) { return a / b; });
      });
      break;
    case BinaryOp::Maximum:
      same_all(iter, dtype, name, [](auto a, auto b) { return scalar::maximum(a, b); });
      break;
    case BinaryOp::Minimum:
      same_all(iter, dtype, name, [](auto a, auto b) { return scalar::minimum(a, b); });
      break;
    case BinaryOp::FloorDiv:
      return checked(iter, dtype, name, BinaryStatus::DivisionByZero,
                     [](auto a, auto b, bool& bad) { return scalar::floor_divide(a, b, bad); });
    case BinaryOp::TruncDiv:
      return checked(iter, dtype, name, BinaryStatus::DivisionByZero,
                     [](auto a, auto b, bool& bad) { return scalar::trunc_divide(a, b, bad); });
    case BinaryOp::Remainder:
      return checked(iter, dtype, name, BinaryStatus::DivisionByZero,
                     [](auto a, auto b, bool& bad) { return scalar::remainder(a, b, bad); });
    case BinaryOp::Pow:
      if (dtype == DType::Bool) {
        binary_loop<bool, bool>(iter, [](bool a, bool b) {
          bool never = false;
          return scalar::power(a, b, never);
        });
        break;
      }
      return checked(iter, dtype, name, BinaryStatus::NegativePower,
                     [](auto a, auto b, bool& bad) { return scalar::power(a, b, bad); });
    case BinaryOp::Eq: compare<BinaryOp::Eq>(iter, dtype, name); break;
    case BinaryOp::Ne: compare<BinaryOp::Ne>(iter, dtype, name); break;
    case BinaryOp::Lt: compare<BinaryOp::Lt>(iter, dtype, name); break;
    case BinaryOp::Le: compare<BinaryOp::Le>(iter, dtype, name); break;
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
