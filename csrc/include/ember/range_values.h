// The element formulas of arange and linspace, shared by the CPU (cpu/range.cc) and CUDA
// (cuda/range.cu) kernels so that both give the same bits (products and sums rounded once each:
// ember/host_device.h).
#pragma once

#include <cstdint>
#include <type_traits>

#include "ember/host_device.h"

namespace ember::range {

// double -> T as PyTorch converts a scalar: integer dtypes go through int64, so negative values
// wrap instead of being undefined.
template <class T>
EMBER_HOST_DEVICE inline T from_double(double v) {
  if constexpr (std::is_same_v<T, bool>) return v != 0;
  else if constexpr (std::is_integral_v<T>) return static_cast<T>(static_cast<int64_t>(v));
  else return static_cast<T>(v);
}

// Element i of arange(start, step) in T, accumulated in PyTorch's CPU accumulation type: double
// for floats (one rounding per value), int64 for integers.
template <class T>
struct Arange {
  using acc_t = std::conditional_t<std::is_floating_point_v<T>, double, int64_t>;
  acc_t start, step;
  Arange(double a, double s) : start(static_cast<acc_t>(a)), step(static_cast<acc_t>(s)) {}
  EMBER_HOST_DEVICE T operator()(int64_t i) const {
    return static_cast<T>(hd::add_rn(start, hd::mul_rn(step, static_cast<acc_t>(i))));
  }
};

// Element i of linspace(start, end, n >= 2) in T: PyTorch's two-sided formula, stepping from
// start for the first half and back from end for the rest, so both endpoints are exact.
// Integers step in double from the endpoints converted to the dtype; floats in their own
// precision (PyTorch's step_t).
template <class T>
struct Linspace {
  using step_t = std::conditional_t<std::is_floating_point_v<T>, T, double>;
  step_t start, end, step;
  int64_t n;
  Linspace(double a, double z, int64_t count)
      : start(static_cast<step_t>(from_double<T>(a))),
        end(static_cast<step_t>(from_double<T>(z))),
        step((end - start) / static_cast<step_t>(count - 1)),
        n(count) {}
  EMBER_HOST_DEVICE T operator()(int64_t i) const {
    const step_t v = i < n / 2 ? hd::add_rn(start, hd::mul_rn(step, static_cast<step_t>(i)))
                               : hd::add_rn(end, -hd::mul_rn(step, static_cast<step_t>(n - 1 - i)));
    return from_double<T>(static_cast<double>(v));
  }
};

}  // namespace ember::range
