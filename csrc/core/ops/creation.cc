#include "ember/ops/creation.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "core/device_dispatch.h"
#include "core/tensor_iter.h"
#include "cpu/fill.h"
#include "cuda/fill.h"
#include "ember/error.h"

namespace ember::ops {
namespace {

// value (a double or an int64) converted to dtype, as the bytes of one element.
template <class V>
void convert_scalar(V value, DType dtype, unsigned char (&bytes)[8]) {
  EMBER_DISPATCH_ALL(dtype, "fill_", [&] {
    scalar_t converted;
    if constexpr (std::is_same_v<scalar_t, bool>) converted = value != 0;
    else if constexpr (std::is_integral_v<scalar_t> && std::is_floating_point_v<V>)
      converted = static_cast<scalar_t>(static_cast<int64_t>(value));  // wrap, not UB
    else converted = static_cast<scalar_t>(value);
    std::memcpy(bytes, &converted, sizeof(scalar_t));
  });
}

// PyTorch's rule for a scalar converted to a dtype (c10::overflows): the value must fit the
// dtype's range, except that unsigned dtypes also take -max .. -1 (wrapping, as in two's
// complement); bool takes anything, floating dtypes take inf and nan.
template <class V>
bool overflows(V value, DType dtype) {
  return EMBER_DISPATCH_ALL(dtype, "fill_", [&]() -> bool {
    using limits = std::numeric_limits<scalar_t>;
    if constexpr (std::is_same_v<scalar_t, bool>) {
      return false;
    } else if constexpr (std::is_floating_point_v<scalar_t>) {
      return std::isfinite(static_cast<double>(value)) &&
             std::fabs(static_cast<double>(value)) > static_cast<double>(limits::max());
    } else {
      const double v = static_cast<double>(value), top = static_cast<double>(limits::max());
      if (!std::isfinite(v)) return true;
      if constexpr (std::is_same_v<V, int64_t> && std::is_same_v<scalar_t, int64_t>) return false;
      if constexpr (std::is_unsigned_v<scalar_t>) return v > top || v < -top;
      return v > top || v < static_cast<double>(limits::lowest()) || v >= 0x1p63;
    }
  });
}

template <class V>
void fill_impl(const Tensor& t, V value) {
  EMBER_CHECK(!overflows(value, t.dtype()), RuntimeError, "fill_: value ", value,
              " cannot be converted to dtype ", t.dtype(), " without overflow");
  if (t.numel() == 0) return;
  unsigned char bytes[8];
  convert_scalar(value, t.dtype(), bytes);
  TensorIter iter(t, {});
  if (t.device().is_cuda()) EMBER_ON_CUDA("fill_", cuda::fill(iter, t.itemsize(), bytes));
  else cpu::fill_stub(iter, t.itemsize(), bytes);
}

void check_dtype_numeric(DType dtype, const char* op) {
  EMBER_CHECK(dtype != DType::Bool, TypeError, op, ": unsupported dtype bool");
}

}  // namespace

void fill_(const Tensor& t, double value) { fill_impl(t, value); }
void detail::fill_integer_(const Tensor& t, int64_t value) { fill_impl(t, value); }

Tensor full(const Shape& sizes, double value, DType dtype, Device device) {
  Tensor out = Tensor::empty(sizes, dtype, device);
  fill_(out, value);
  return out;
}
Tensor zeros(const Shape& sizes, DType dtype, Device device) {
  return full(sizes, 0.0, dtype, device);
}
Tensor ones(const Shape& sizes, DType dtype, Device device) {
  return full(sizes, 1.0, dtype, device);
}

Tensor arange(double start, double end, double step, DType dtype, Device device) {
  check_dtype_numeric(dtype, "arange");
  EMBER_CHECK(std::isfinite(start) && std::isfinite(end) && std::isfinite(step), RuntimeError,
              "arange: unsupported range: ", start, " -> ", end, " with step ", step);
  if (!is_floating(dtype)) {
    EMBER_CHECK(std::fabs(start) < 0x1p63 && std::fabs(end) < 0x1p63 && std::fabs(step) < 0x1p63,
                RuntimeError, "arange: range ", start, " -> ", end, " with step ", step,
                " does not fit dtype ", dtype);
    start = std::trunc(start);
    end = std::trunc(end);
    step = std::trunc(step);
  }
  EMBER_CHECK(step != 0, RuntimeError, "arange: step must be nonzero");
  EMBER_CHECK((step > 0 && end >= start) || (step < 0 && end <= start), RuntimeError,
              "arange: upper bound and lower bound inconsistent with step sign (start=", start,
              ", end=", end, ", step=", step, ")");
  const double length = std::ceil((end - start) / step);
  EMBER_CHECK(length < 0x1p63, RuntimeError, "arange: too many elements (", length, ")");
  const int64_t n = static_cast<int64_t>(length);
  Tensor out = Tensor::empty({n}, dtype, device);
  if (n > 0) EMBER_KERNEL_ON(out, "arange", arange_kernel, out.data_ptr(), dtype, n, start, step);
  return out;
}

Tensor linspace(double start, double end, int64_t steps, DType dtype, Device device) {
  check_dtype_numeric(dtype, "linspace");
  EMBER_CHECK(steps >= 0, RuntimeError, "linspace: number of steps must be non-negative, got ",
              steps);
  EMBER_CHECK(std::isfinite(start) && std::isfinite(end), RuntimeError,
              "linspace: start and end must be finite, got ", start, " and ", end);
  Tensor out = Tensor::empty({steps}, dtype, device);
  if (steps == 1) fill_(out, start);
  else if (steps > 1)
    EMBER_KERNEL_ON(out, "linspace", linspace_kernel, out.data_ptr(), dtype, steps, start, end);
  return out;
}

Tensor eye(int64_t n, int64_t m, DType dtype, Device device) {
  EMBER_CHECK(n >= 0 && m >= 0, RuntimeError, "eye: n and m must be non-negative, got n=", n,
              ", m=", m);
  Tensor out = zeros({n, m}, dtype, device);
  const int64_t diagonal = n < m ? n : m;
  fill_(out.as_strided({diagonal}, {m + 1}, 0), 1.0);
  return out;
}

}  // namespace ember::ops
