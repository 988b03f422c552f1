// The scalar rules of the reductions, shared by the CPU kernels (cpu/reduce*.simd.cc) and the
// CUDA kernels (cuda/reduce*.cu) so that both give the same results: the accumulator types, the
// NaN rules of max/min and of the index-tracking reductions, and the identities of max/min.
#pragma once

#include <cstdint>
#include <limits>
#include <type_traits>

#include "ember/host_device.h"

// A *.simd.cc compiles this header once per instruction set: its functions then live in that
// variant's namespace, so the three compilations never share a symbol (see cpu/dispatch.h).
#if defined(EMBER_CPU_CAPABILITY)
#include "cpu/dispatch.h"
#define EMBER_REDUCE_SCALAR_NS EMBER_CPU_NS
#else
#define EMBER_REDUCE_SCALAR_NS portable
#endif

namespace ember::reduce_scalar {
inline namespace EMBER_REDUCE_SCALAR_NS {

// Accumulator of sums and products: the input type for floating point, int64 otherwise.
template <class T>
using sum_acc_t = std::conditional_t<std::is_floating_point_v<T>, T, int64_t>;

template <class T>
EMBER_HOST_DEVICE constexpr bool is_nan(T x) {
  if constexpr (std::is_floating_point_v<T>) return x != x;
  else return false;
}

// The larger (kMax) or smaller value, NaN winning: associative, so lanes may be combined in any
// order.
template <bool kMax, class T>
EMBER_HOST_DEVICE inline T pick(T a, T b) {
  return ((kMax ? b > a : b < a) || is_nan(b)) ? b : a;
}

template <class T>
EMBER_HOST_DEVICE constexpr T lowest_of() {
  if constexpr (std::is_floating_point_v<T>) return -std::numeric_limits<T>::infinity();
  else return std::numeric_limits<T>::lowest();
}
template <class T>
EMBER_HOST_DEVICE constexpr T highest_of() {
  if constexpr (std::is_floating_point_v<T>) return std::numeric_limits<T>::infinity();
  else return std::numeric_limits<T>::max();
}

// Whether x, met after best in a scan, replaces it in max/min-with-indices: only when strictly
// better (so the first occurrence stays), a NaN beating every number and the first NaN staying.
template <bool kMax, class T>
EMBER_HOST_DEVICE inline bool beats(T x, T best) {
  if (is_nan(best)) return false;
  return is_nan(x) || (kMax ? x > best : x < best);
}

// The same rule for two candidates met in any order (tree combination): b wins when it beats a,
// or ties with it (equal, or both NaN) at an earlier index.
template <bool kMax, class T>
EMBER_HOST_DEVICE inline bool takes_over(T b, int64_t b_index, T a, int64_t a_index) {
  if (b_index < a_index) return !beats<kMax>(a, b);
  return beats<kMax>(b, a);
}

}  // namespace EMBER_REDUCE_SCALAR_NS
}  // namespace ember::reduce_scalar
