#include <cstring>
#include <type_traits>

#include "cpu/fill.h"

namespace ember::cpu {
namespace EMBER_CPU_NS {
namespace {

// double -> T as PyTorch converts a scalar: integer dtypes go through int64, so negative values
// wrap instead of being undefined.
template <class T>
T from_double(double v) {
  if constexpr (std::is_same_v<T, bool>) return v != 0;
  else if constexpr (std::is_integral_v<T>) return static_cast<T>(static_cast<int64_t>(v));
  else return static_cast<T>(v);
}

template <class Word>
void fill_words(const TensorIter& iter, const void* value) {
  Word w;
  std::memcpy(&w, value, sizeof(Word));
  iter.for_each([w](char** data, const int64_t* strides, int64_t n) {
    char* dst = data[0];
    if (strides[0] == sizeof(Word)) {
      Word* d = reinterpret_cast<Word*>(dst);
      for (int64_t i = 0; i < n; ++i) d[i] = w;
    } else {
      for (int64_t i = 0; i < n; ++i) std::memcpy(dst + i * strides[0], &w, sizeof(Word));
    }
  });
}

// Only the bytes matter, so one kernel per element size serves every dtype.
void fill_kernel(const TensorIter& iter, size_t itemsize, const void* value) {
  switch (itemsize) {
    case 1: return fill_words<uint8_t>(iter, value);
    case 4: return fill_words<uint32_t>(iter, value);
    case 8: return fill_words<uint64_t>(iter, value);
    default: throw Error("fill_: unsupported element size");
  }
}

void arange_kernel(void* out, DType dtype, int64_t n, double start, double step) {
  EMBER_DISPATCH_NUMERIC(dtype, "arange", [&] {
    scalar_t* o = static_cast<scalar_t*>(out);
    // PyTorch's accumulation type on the CPU: double for floats, int64 for integers.
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

}  // namespace
}  // namespace EMBER_CPU_NS

EMBER_REGISTER_DISPATCH(fill_stub, &EMBER_CPU_NS::fill_kernel);
EMBER_REGISTER_DISPATCH(arange_stub, &EMBER_CPU_NS::arange_kernel);
EMBER_REGISTER_DISPATCH(linspace_stub, &EMBER_CPU_NS::linspace_kernel);

}  // namespace ember::cpu
