// Tensors made from a value or a formula: fill, arange, linspace, eye. (Random ones are in
// ember/ops/random.h.)
#pragma once

#include <type_traits>

#include "ember/tensor.h"

namespace ember::ops {

// Sets every element of t (any strides, any device) to value converted to t's dtype: floats truncate
// toward zero for integer dtypes, integers wrap modulo 2^bits (as a C++ cast), and bool is
// value != 0.
void fill_(const Tensor& t, double value);
namespace detail {
void fill_integer_(const Tensor& t, int64_t value);  // exact for all of int64
}
template <class I, std::enable_if_t<std::is_integral_v<I>, int> = 0>
void fill_(const Tensor& t, I value) {
  detail::fill_integer_(t, static_cast<int64_t>(value));
}

// The new tensors below are made on `device` (the CPU by default).
Tensor full(const Shape& sizes, double value, DType dtype, Device device = {});
Tensor zeros(const Shape& sizes, DType dtype, Device device = {});
Tensor ones(const Shape& sizes, DType dtype, Device device = {});

// start, start + step, ... while < end (> end for a negative step): ceil((end - start) / step)
// elements. For integer dtypes start, end and step are first truncated to integers, as in
// PyTorch. Raises for step 0 or a step whose sign points away from end.
Tensor arange(double start, double end, double step, DType dtype, Device device = {});
// steps points from start to end inclusive, computed from both ends toward the middle
// (PyTorch's formula, so the endpoints are exact).
Tensor linspace(double start, double end, int64_t steps, DType dtype, Device device = {});
// An n x m matrix with ones on the main diagonal.
Tensor eye(int64_t n, int64_t m, DType dtype, Device device = {});

}  // namespace ember::ops
