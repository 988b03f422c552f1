// Reductions that track positions: max/min with their indices (argmax/argmin) through the shared
// reduction kernels with a (value, index) accumulator, and the running sums and products of
// cumsum/cumprod.
#include "core/reduce_scalar.h"
#include "cuda/launch.h"
#include "cuda/reduce.h"
#include "cuda/reduce_kernels.cuh"

namespace ember::cuda {
namespace {

using reduce_impl::ceil_div;
using reduce_scalar::highest_of;
using reduce_scalar::lowest_of;
using reduce_scalar::sum_acc_t;
using reduce_scalar::takes_over;

template <class T>
struct Best {
  T value;
  int64_t index;
};

// The first occurrence of the max (or min) wins, a NaN beating every number; the identity's
// index is past every real one, so a real element equal to it still wins.
template <class T, bool kMax>
struct ArgOp {
  using acc_t = Best<T>;
  __device__ acc_t identity() const {
    return {kMax ? lowest_of<T>() : highest_of<T>(), INT64_MAX};
  }
  __device__ acc_t map(T x, T, int64_t r) const { return {x, r}; }
  __device__ acc_t combine(acc_t a, acc_t b) const {
    return takes_over<kMax>(b.value, b.index, a.value, a.index) ? b : a;
  }
  __device__ acc_t finalize(acc_t a, T) const { return a; }
};

template <class T>
struct StoreBest {
  T* values;  // may be null
  int64_t* indices;
  __device__ void operator()(int64_t i, Best<T> b) const {
    if (values) values[i] = b.value;
    indices[i] = b.index;
  }
};

// One thread per (outer, inner) column, stepping along the scanned dim in order, like the CPU,
// so the results match it exactly; neighbouring threads read neighbouring columns (coalesced)
// whenever inner > 1.
//   x:   (outer, n, inner) T
//   out: (outer, n, inner) A
template <bool kProd, class T, class A>
__global__ void scan_columns(const T* x, A* out, int64_t outer, int64_t n, int64_t inner) {
  const int64_t columns = outer * inner;
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t c = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; c < columns;
       c += step) {
    const int64_t first = (c / inner) * n * inner + c % inner;
    A acc = kProd ? A(1) : A(0);
    for (int64_t r = 0; r < n; ++r) {
      const int64_t at = first + r * inner;
      acc = kProd ? acc * A(x[at]) : acc + A(x[at]);
      out[at] = acc;
    }
  }
}

}  // namespace

void arg_reduce(bool is_max, DType dtype, const void* x, void* values, int64_t* indices,
                ReduceShape s) {
  EMBER_DISPATCH_ALL(dtype, is_max ? "max" : "min", [&] {
    const StoreBest<scalar_t> write{static_cast<scalar_t*>(values), indices};
    if (is_max)
      reduce_impl::run<ArgOp<scalar_t, true>, scalar_t>({}, write, x, nullptr, s);
    else
      reduce_impl::run<ArgOp<scalar_t, false>, scalar_t>({}, write, x, nullptr, s);
  });
}

void scan(bool is_prod, DType dtype, const void* x, void* out, ReduceShape s) {
  const int64_t columns = s.outer * s.inner;
  if (columns == 0 || s.reduce == 0) return;
  constexpr int kThreads = 128;
  const auto blocks = static_cast<unsigned>(
      std::min(ceil_div(columns, kThreads), reduce_impl::kMaxBlocks));
  EMBER_DISPATCH_ALL(dtype, is_prod ? "cumprod" : "cumsum", [&] {
    using A = sum_acc_t<scalar_t>;
    const auto* in = static_cast<const scalar_t*>(x);
    auto* res = static_cast<A*>(out);
    if (is_prod)
      EMBER_LAUNCH((scan_columns<true, scalar_t, A>), blocks, kThreads, 0, nullptr, in, res,
                   s.outer, s.reduce, s.inner);
    else
      EMBER_LAUNCH((scan_columns<false, scalar_t, A>), blocks, kThreads, 0, nullptr, in, res,
                   s.outer, s.reduce, s.inner);
  });
}

}  // namespace ember::cuda
