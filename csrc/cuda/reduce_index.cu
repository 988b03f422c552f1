// Reductions that track positions: max/min with their indices (argmax/argmin) through the shared
// reduction kernels with a (value, index) accumulator, and the running sums and products of
// cumsum/cumprod (a warp-shuffle scan along contiguous rows, a thread per column otherwise).
#include "core/reduce_scalar.h"
#include "cuda/launch.h"
#include "cuda/reduce.h"
#include "cuda/reduce_kernels.cuh"

namespace ember::cuda {
namespace {

using reduce_impl::ceil_div;
using reduce_impl::kFullMask;
using reduce_impl::kWarp;
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

template <bool kProd, class A>
__device__ A step(A acc, A x) {
  return kProd ? acc * x : acc + x;
}

// cumsum along contiguous rows: a warp per row walks it 32 elements at a time, each step an
// inclusive shuffle scan of the 32 elements plus the running total of the row so far.
//   x:   (rows, n) T
//   out: (rows, n) A
template <bool kProd, class T, class A>
__global__ void scan_rows(const T* x, A* out, int64_t rows, int64_t n) {
  const int lane = static_cast<int>(threadIdx.x);
  const int64_t step_rows = static_cast<int64_t>(gridDim.x) * blockDim.y;
  // Every lane of a warp shares its row, so the whole warp takes part in each shuffle.
  for (int64_t row = static_cast<int64_t>(blockIdx.x) * blockDim.y + threadIdx.y; row < rows;
       row += step_rows) {
    A carry = kProd ? A(1) : A(0);
    for (int64_t base = 0; base < n; base += kWarp) {
      const int64_t at = row * n + base + lane;
      const bool valid = base + lane < n;
      A v = valid ? A(x[at]) : (kProd ? A(1) : A(0));
#pragma unroll
      for (int delta = 1; delta < kWarp; delta *= 2) {
        const A other = __shfl_up_sync(kFullMask, v, delta);
        if (lane >= delta) v = step<kProd>(other, v);
      }
      v = step<kProd>(carry, v);
      if (valid) out[at] = v;
      carry = __shfl_sync(kFullMask, v, kWarp - 1);
    }
  }
}

// Scans along a dim above a contiguous inner dim: one thread per (outer, inner) column,
// stepping along the scanned dim in order; neighbouring threads read neighbouring columns
// (coalesced).
//   x:   (outer, n, inner) T
//   out: (outer, n, inner) A
template <bool kProd, class T, class A>
__global__ void scan_columns(const T* x, A* out, int64_t outer, int64_t n, int64_t inner) {
  const int64_t columns = outer * inner;
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t c = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; c < columns;
       c += stride) {
    const int64_t first = (c / inner) * n * inner + c % inner;
    A acc = kProd ? A(1) : A(0);
    for (int64_t r = 0; r < n; ++r) {
      const int64_t at = first + r * inner;
      acc = step<kProd>(acc, A(x[at]));
      out[at] = acc;
    }
  }
}

template <bool kProd, class T, class A>
void launch_scan(const T* x, A* out, ReduceShape s) {
  constexpr int kThreads = 128;
  if (s.inner == 1) {
    const dim3 block(kWarp, kThreads / kWarp);
    const auto blocks =
        static_cast<unsigned>(std::min(ceil_div(s.outer, block.y), reduce_impl::kMaxBlocks));
    EMBER_LAUNCH((scan_rows<kProd, T, A>), blocks, block, 0, nullptr, x, out, s.outer, s.reduce);
  } else {
    const auto blocks = static_cast<unsigned>(
        std::min(ceil_div(s.outer * s.inner, kThreads), reduce_impl::kMaxBlocks));
    EMBER_LAUNCH((scan_columns<kProd, T, A>), blocks, kThreads, 0, nullptr, x, out, s.outer,
                 s.reduce, s.inner);
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
  if (s.outer * s.inner == 0 || s.reduce == 0) return;
  EMBER_DISPATCH_ALL(dtype, is_prod ? "cumprod" : "cumsum", [&] {
    const auto* in = static_cast<const scalar_t*>(x);
    auto* res = static_cast<sum_acc_t<scalar_t>*>(out);
    is_prod ? launch_scan<true>(in, res, s) : launch_scan<false>(in, res, s);
  });
}

}  // namespace ember::cuda
