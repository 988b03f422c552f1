// Element types. The order is the promotion order: bool < uint8 < int32 < int64 < float32 <
// float64, so promoting two types is taking the larger one (PyTorch's table for these types).
#pragma once

#include <cstddef>
#include <cstdint>
#include <ostream>

#include "ember/error.h"

namespace ember {

enum class DType : uint8_t { Bool, UInt8, Int32, Int64, Float32, Float64 };
constexpr int kNumDTypes = 6;

constexpr size_t itemsize(DType t) {
  switch (t) {
    case DType::Bool: case DType::UInt8: return 1;
    case DType::Int32: case DType::Float32: return 4;
    case DType::Int64: case DType::Float64: return 8;
  }
  return 0;
}
constexpr bool is_floating(DType t) { return t == DType::Float32 || t == DType::Float64; }
constexpr bool is_integral(DType t, bool include_bool = false) {
  return t == DType::UInt8 || t == DType::Int32 || t == DType::Int64 ||
         (include_bool && t == DType::Bool);
}
// bool = 0, integers = 1, floating = 2: PyTorch's categories for zero-dim promotion.
constexpr int category(DType t) { return t == DType::Bool ? 0 : is_floating(t) ? 2 : 1; }
constexpr DType promote_types(DType a, DType b) { return a < b ? b : a; }

const char* dtype_name(DType t);
inline std::ostream& operator<<(std::ostream& out, DType t) { return out << dtype_name(t); }

template <class T> struct dtype_of;
template <> struct dtype_of<bool> { static constexpr DType value = DType::Bool; };
template <> struct dtype_of<uint8_t> { static constexpr DType value = DType::UInt8; };
template <> struct dtype_of<int32_t> { static constexpr DType value = DType::Int32; };
template <> struct dtype_of<int64_t> { static constexpr DType value = DType::Int64; };
template <> struct dtype_of<float> { static constexpr DType value = DType::Float32; };
template <> struct dtype_of<double> { static constexpr DType value = DType::Float64; };

}  // namespace ember

// EMBER_DISPATCH_*(dtype, "op", [&] { ... scalar_t ... }): run the lambda with scalar_t bound to
// the C++ type of dtype; any other dtype raises TypeError naming the op.
#define EMBER_DISPATCH_CASE(enum_value, cpp_type, ...) \
  case ::ember::DType::enum_value: {                   \
    using scalar_t = cpp_type;                         \
    return __VA_ARGS__();                              \
  }
#define EMBER_DISPATCH_FAIL(dtype, op)                                                 \
  default:                                                                             \
    throw ::ember::TypeError(::ember::detail::concat(op, ": unsupported dtype ", dtype))

#define EMBER_FLOATING_CASES(...)                 \
  EMBER_DISPATCH_CASE(Float32, float, __VA_ARGS__) \
  EMBER_DISPATCH_CASE(Float64, double, __VA_ARGS__)
#define EMBER_INTEGRAL_CASES(...)                    \
  EMBER_DISPATCH_CASE(UInt8, uint8_t, __VA_ARGS__)   \
  EMBER_DISPATCH_CASE(Int32, int32_t, __VA_ARGS__)   \
  EMBER_DISPATCH_CASE(Int64, int64_t, __VA_ARGS__)
#define EMBER_NUMERIC_CASES(...) \
  EMBER_INTEGRAL_CASES(__VA_ARGS__) EMBER_FLOATING_CASES(__VA_ARGS__)
#define EMBER_DISPATCH_SWITCH(dtype, op, cases) \
  [&] {                                         \
    switch (dtype) {                            \
      cases                                     \
      EMBER_DISPATCH_FAIL(dtype, op);           \
    }                                           \
  }()

#define EMBER_DISPATCH_FLOATING(dtype, op, ...) \
  EMBER_DISPATCH_SWITCH(dtype, op, EMBER_FLOATING_CASES(__VA_ARGS__))
#define EMBER_DISPATCH_INTEGRAL(dtype, op, ...) \
  EMBER_DISPATCH_SWITCH(dtype, op, EMBER_INTEGRAL_CASES(__VA_ARGS__))
#define EMBER_DISPATCH_NUMERIC(dtype, op, ...) \
  EMBER_DISPATCH_SWITCH(dtype, op, EMBER_NUMERIC_CASES(__VA_ARGS__))
#define EMBER_DISPATCH_ALL(dtype, op, ...) \
  EMBER_DISPATCH_SWITCH(dtype, op,         \
                        EMBER_DISPATCH_CASE(Bool, bool, __VA_ARGS__) EMBER_NUMERIC_CASES(__VA_ARGS__))
