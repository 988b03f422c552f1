// Helpers shared by the reduce*.simd.cc kernels. Include only from a *.simd.cc: everything here
// lives in ember::cpu::EMBER_CPU_NS (see dispatch.h).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace ember::cpu {
namespace EMBER_CPU_NS {

// Accumulator of sums and products: the input type for floating point, int64 otherwise.
template <class T>
using sum_acc_t = std::conditional_t<std::is_floating_point_v<T>, T, int64_t>;

template <class T>
constexpr bool is_nan(T x) {
  if constexpr (std::is_floating_point_v<T>) return x != x;
  else return false;
}

// The larger (kMax) or smaller value, NaN winning: associative, so lanes may be combined in any
// order.
template <bool kMax, class T>
inline T pick(T a, T b) {
  return ((kMax ? b > a : b < a) || is_nan(b)) ? b : a;
}

template <class T>
constexpr T lowest_of() {
  if constexpr (std::is_floating_point_v<T>) return -std::numeric_limits<T>::infinity();
  else return std::numeric_limits<T>::lowest();
}
template <class T>
constexpr T highest_of() {
  if constexpr (std::is_floating_point_v<T>) return std::numeric_limits<T>::infinity();
  else return std::numeric_limits<T>::max();
}

}  // namespace EMBER_CPU_NS
}  // namespace ember::cpu
