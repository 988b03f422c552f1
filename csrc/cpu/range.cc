// arange and linspace. Compiled once, for the baseline instruction set (a plain .cc, not
// .simd.cc): start + step * i must not be contracted into an FMA on some CPUs and not on
// others, so that the values are the same on every machine.
#include <type_traits>

#include "cpu/fill.h"

namespace ember::cpu {
namespace {

// double -> T as PyTorch converts a scalar: integer dtypes go through int64, so negative values
// wrap instead of being undefined.
template <class T>
T from_double(double v) {
  if constexpr (std::is_same_v<T, bool>) return v != 0;
  else if constexpr (std::is_integral_v<T>) return static_cast<T>(static_cast<int64_t>(v));
  else return static_cast<T>(v);
}

}  // namespace

void arange_kernel(void* out, DType dtype, int64_t n, double start, double step) {
  EMBER_DISPATCH_NUMERIC(dtype, "arange", [&] {
    scalar_t* o = static_cast<scalar_t*>(out);
    // PyTorch's CPU accumulation type: double for floats (one rounding per value), int64 for
    // integers.
    using acc_t = std::conditional_t<std::is_floating_point_v<scalar_t>, double, int64_t>;
    const acc_t a = static_cast<acc_t>(start), s = static_cast<acc_t>(step);
    parallel_for(0, n, kGrainSize, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) o[i] = static_cast<scalar_t>(a + s * static_cast<acc_t>(i));
    });
  });
}

void linspace_kernel(void* out, DType dtype, int64_t n, double start, double end) {
  EMBER_DISPATCH_NUMERIC(dtype, "linspace", [&] {
    scalar_t* o = static_cast<scalar_t*>(out);
    // Integers step in double from the endpoints converted to the dtype; floats in their own
    // precision (PyTorch's step_t).
    using step_t = std::conditional_t<std::is_floating_point_v<scalar_t>, scalar_t, double>;
    const step_t a = static_cast<step_t>(from_double<scalar_t>(start));
    const step_t z = static_cast<step_t>(from_double<scalar_t>(end));
    const step_t step = (z - a) / static_cast<step_t>(n - 1);
    const int64_t halfway = n / 2;
    parallel_for(0, n, kGrainSize, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) {
        const step_t v = i < halfway ? a + step * static_cast<step_t>(i)
                                     : z - step * static_cast<step_t>(n - 1 - i);
        o[i] = from_double<scalar_t>(static_cast<double>(v));
      }
    });
  });
}

}  // namespace ember::cpu
