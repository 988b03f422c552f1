// softmax / log_softmax and the fused cross-entropy on CUDA. A row is the n elements
// x[o, :, i] of an (outer, n, inner) block (stride inner). Two launch shapes of one kernel body:
//   kBlock (inner == 1, contiguous rows): one block per row, its threads stride the row and
//     combine through warp shuffles and shared memory;
//   !kBlock (inner > 1): one thread per row, so neighbouring threads read neighbouring columns
//     (coalesced).
// The cross-entropy formulas are core/softmax_loss_scalar.h's, shared with the CPU kernels.
#include <algorithm>
#include <cstdint>
#include <limits>

#include "core/softmax_loss_scalar.h"
#include "cuda/launch.h"
#include "cuda/softmax_loss.h"

namespace ember::cuda {
namespace {

using cpu::CrossEntropyArgs;

constexpr unsigned kFullMask = 0xffffffffu;
constexpr int kRowThreads = 128;      // threads per block in the one-thread-per-row shape
constexpr int64_t kMaxBlocks = 4096;

EMBER_SCALAR_MATH1(exp)
EMBER_SCALAR_MATH1(log)

struct Max {
  template <class T> EMBER_HOST_DEVICE T operator()(T a, T b) const { return scalar::maximum(a, b); }
};
struct Sum {
  template <class T> EMBER_HOST_DEVICE T operator()(T a, T b) const { return a + b; }
};

// Which rows a thread works on and which of a row's elements.
template <bool kBlock>
struct Rows {
  __device__ static int64_t first() {
    return kBlock ? static_cast<int64_t>(blockIdx.x)
                  : static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  }
  __device__ static int64_t step() {
    return kBlock ? static_cast<int64_t>(gridDim.x)
                  : static_cast<int64_t>(gridDim.x) * blockDim.x;
  }
  __device__ static int64_t lane() { return kBlock ? threadIdx.x : 0; }
  __device__ static int64_t lanes() { return kBlock ? blockDim.x : 1; }
};

// The fold of v over the row's threads, in every one of them. smem: (blockDim.x / 32,) T.
template <bool kBlock, class T, class Op>
__device__ T row_reduce(T v, const Op& op, T* smem) {
  if constexpr (!kBlock) {
    return v;
  } else {
    for (int delta = 16; delta > 0; delta /= 2) v = op(v, __shfl_xor_sync(kFullMask, v, delta));
    __syncthreads();  // the previous fold's readers are done with smem
    if (threadIdx.x % 32 == 0) smem[threadIdx.x / 32] = v;
    __syncthreads();
    T total = smem[0];
    for (int k = 1; k < static_cast<int>(blockDim.x) / 32; ++k) total = op(total, smem[k]);
    return total;
  }
}

template <bool kBlock, class T>
__device__ T row_max(const T* x, int64_t n, int64_t s, T* smem) {
  using R = Rows<kBlock>;
  T m = -std::numeric_limits<T>::infinity();
  for (int64_t i = R::lane(); i < n; i += R::lanes()) m = scalar::maximum(m, x[i * s]);
  return row_reduce<kBlock>(m, Max(), smem);
}

// x, y: (outer, n, inner); rows = outer * inner
template <bool kBlock, class T>
__global__ void softmax_forward_kernel(bool log, const T* x, T* y, int64_t rows, int64_t n,
                                       int64_t inner) {
  using R = Rows<kBlock>;
  EMBER_DYNAMIC_SHARED(T, smem);
  const int64_t s = inner;
  for (int64_t row = R::first(); row < rows; row += R::step()) {
    const int64_t base = (row / inner) * n * inner + row % inner;
    const T* xr = x + base;
    T* yr = y + base;
    const T m = row_max<kBlock>(xr, n, s, smem);
    T sum = 0;
    for (int64_t i = R::lane(); i < n; i += R::lanes()) sum += exp_(xr[i * s] - m);
    sum = row_reduce<kBlock>(sum, Sum(), smem);
    if (log) {
      const T log_sum = log_(sum);
      for (int64_t i = R::lane(); i < n; i += R::lanes()) yr[i * s] = (xr[i * s] - m) - log_sum;
    } else {
      const T inv = T(1) / sum;
      for (int64_t i = R::lane(); i < n; i += R::lanes()) yr[i * s] = exp_(xr[i * s] - m) * inv;
    }
  }
}

// g, y, gi: (outer, n, inner)
template <bool kBlock, class T>
__global__ void softmax_backward_kernel(bool log, const T* g, const T* y, T* gi, int64_t rows,
                                        int64_t n, int64_t inner) {
  using R = Rows<kBlock>;
  EMBER_DYNAMIC_SHARED(T, smem);
  const int64_t s = inner;
  for (int64_t row = R::first(); row < rows; row += R::step()) {
    const int64_t base = (row / inner) * n * inner + row % inner;
    const T* gr = g + base;
    const T* yr = y + base;
    T* out = gi + base;
    T acc = 0;
    for (int64_t i = R::lane(); i < n; i += R::lanes())
      acc += log ? gr[i * s] : gr[i * s] * yr[i * s];
    acc = row_reduce<kBlock>(acc, Sum(), smem);
    for (int64_t i = R::lane(); i < n; i += R::lanes())
      out[i * s] = log ? gr[i * s] - exp_(yr[i * s]) * acc : yr[i * s] * (gr[i * s] - acc);
  }
}

// input, probs: (outer, C, inner); target, loss, row_weight, row_max, log_sum: (rows,);
// weight: (C,)
template <bool kBlock, class T>
__global__ void cross_entropy_forward_kernel(CrossEntropyArgs a, T* loss, T* row_weight,
                                             T* max_out, T* log_sum_out) {
  using R = Rows<kBlock>;
  EMBER_DYNAMIC_SHARED(T, smem);
  const int64_t C = a.classes, s = a.inner, rows = a.outer * a.inner;
  const T* x = static_cast<const T*>(a.input);
  const T* q = static_cast<const T*>(a.probs);
  const T* w = static_cast<const T*>(a.weight);
  const T eps = static_cast<T>(a.label_smoothing), inv_c = T(1) / static_cast<T>(C);
  for (int64_t row = R::first(); row < rows; row += R::step()) {
    const int64_t base = (row / s) * C * s + row % s;
    const T* xr = x + base;
    const T m = row_max<kBlock>(xr, C, s, smem);
    T sum = 0;
    for (int64_t c = R::lane(); c < C; c += R::lanes()) sum += exp_(xr[c * s] - m);
    const T log_sum = log_(row_reduce<kBlock>(sum, Sum(), smem));
    T value = 0, wt = 1;
    if (q) {
      for (int64_t c = R::lane(); c < C; c += R::lanes())
        value += (w ? w[c] : T(1)) * xent::smoothed(q[base + c * s], eps, inv_c) *
                 xent::neg_log_prob(xr[c * s], m, log_sum);
      value = row_reduce<kBlock>(value, Sum(), smem);
    } else {
      const int64_t t = a.target[row];
      const bool ignored = t == a.ignore_index;  // uniform over the row's threads
      if (eps > T(0) && !ignored) {
        for (int64_t c = R::lane(); c < C; c += R::lanes())
          value += (w ? w[c] : T(1)) * xent::neg_log_prob(xr[c * s], m, log_sum);
        value = eps * inv_c * row_reduce<kBlock>(value, Sum(), smem);
      }
      wt = ignored ? T(0) : (w ? w[t] : T(1));
      if (!ignored) value += (T(1) - eps) * wt * xent::neg_log_prob(xr[t * s], m, log_sum);
    }
    if (R::lane() == 0) {
      loss[row] = value;
      row_weight[row] = wt;
      max_out[row] = m;
      log_sum_out[row] = log_sum;
    }
  }
}

// grad_input: (outer, C, inner); g: (rows,) with stride g_stride (0: one value); total_weight:
// the mean's divisor or null.
template <bool kBlock, class T>
__global__ void cross_entropy_backward_kernel(CrossEntropyArgs a, const T* row_max,
                                              const T* log_sum, const T* g,
                                              int64_t g_stride, const T* total_weight, T* gi) {
  using R = Rows<kBlock>;
  EMBER_DYNAMIC_SHARED(T, smem);
  const int64_t C = a.classes, s = a.inner, rows = a.outer * a.inner;
  const T* x = static_cast<const T*>(a.input);
  const T* q = static_cast<const T*>(a.probs);
  const T* w = static_cast<const T*>(a.weight);
  const T eps = static_cast<T>(a.label_smoothing), inv_c = T(1) / static_cast<T>(C);
  const T divisor = total_weight ? *total_weight : T(1);
  for (int64_t row = R::first(); row < rows; row += R::step()) {
    const int64_t base = (row / s) * C * s + row % s;
    const T* xr = x + base;
    T* out = gi + base;
    const T factor = g[row * g_stride] / divisor;
    if (q) {
      T sum_wq = 0;
      for (int64_t c = R::lane(); c < C; c += R::lanes())
        sum_wq += (w ? w[c] : T(1)) * xent::smoothed(q[base + c * s], eps, inv_c);
      sum_wq = row_reduce<kBlock>(sum_wq, Sum(), smem);
      for (int64_t c = R::lane(); c < C; c += R::lanes()) {
        const T p = exp_((xr[c * s] - row_max[row]) - log_sum[row]);
        const T wq = (w ? w[c] : T(1)) * xent::smoothed(q[base + c * s], eps, inv_c);
        out[c * s] = factor * xent::prob_grad(p, sum_wq, wq);
      }
      continue;
    }
    const int64_t t = a.target[row];
    if (t == a.ignore_index) {  // uniform over the row's threads
      for (int64_t c = R::lane(); c < C; c += R::lanes()) out[c * s] = T(0);
      continue;
    }
    T weight_sum = 0;
    if (eps > T(0)) {
      for (int64_t c = R::lane(); c < C; c += R::lanes()) weight_sum += w ? w[c] : T(1);
      weight_sum = row_reduce<kBlock>(weight_sum, Sum(), smem);
    }
    const T wt = w ? w[t] : T(1);
    for (int64_t c = R::lane(); c < C; c += R::lanes()) {
      const T p = exp_((xr[c * s] - row_max[row]) - log_sum[row]);
      out[c * s] = factor * xent::index_grad(p, c == t, wt, w ? w[c] : T(1), eps, inv_c, weight_sum);
    }
  }
}

// Launches kernel<kBlock, T> over `rows` rows of `n` elements with the shape that suits inner.
struct RowLaunch {
  bool block;
  unsigned grid, threads;
  size_t smem;
};
RowLaunch row_launch(int64_t rows, int64_t n, int64_t inner, size_t itemsize) {
  if (inner == 1) {
    const int64_t threads = std::min<int64_t>(256, std::max<int64_t>(32, (n + 31) / 32 * 32));
    return {true, static_cast<unsigned>(std::min(rows, kMaxBlocks)),
            static_cast<unsigned>(threads), static_cast<size_t>(threads / 32) * itemsize};
  }
  return {false, static_cast<unsigned>(std::min(kMaxBlocks, (rows + kRowThreads - 1) / kRowThreads)),
          static_cast<unsigned>(kRowThreads), 0};
}

#define EMBER_ROW_LAUNCH(kernel, T, cfg, ...)                                                 \
  do {                                                                                        \
    if ((cfg).block)                                                                          \
      EMBER_LAUNCH((kernel<true, T>), (cfg).grid, (cfg).threads, (cfg).smem, nullptr,         \
                   __VA_ARGS__);                                                              \
    else                                                                                      \
      EMBER_LAUNCH((kernel<false, T>), (cfg).grid, (cfg).threads, (cfg).smem, nullptr,        \
                   __VA_ARGS__);                                                              \
  } while (0)

}  // namespace

void softmax_forward(DType dtype, bool log, const void* x, void* y, int64_t outer, int64_t n,
                     int64_t inner) {
  const int64_t rows = outer * inner;
  if (rows == 0 || n == 0) return;
  EMBER_DISPATCH_FLOATING(dtype, log ? "log_softmax" : "softmax", [&] {
    using T = scalar_t;
    const RowLaunch cfg = row_launch(rows, n, inner, sizeof(T));
    EMBER_ROW_LAUNCH(softmax_forward_kernel, T, cfg, log, static_cast<const T*>(x),
                     static_cast<T*>(y), rows, n, inner);
  });
}

void softmax_backward(DType dtype, bool log, const void* g, const void* y, void* gi,
                      int64_t outer, int64_t n, int64_t inner) {
  const int64_t rows = outer * inner;
  if (rows == 0 || n == 0) return;
  EMBER_DISPATCH_FLOATING(dtype, log ? "log_softmax_backward" : "softmax_backward", [&] {
    using T = scalar_t;
    const RowLaunch cfg = row_launch(rows, n, inner, sizeof(T));
    EMBER_ROW_LAUNCH(softmax_backward_kernel, T, cfg, log, static_cast<const T*>(g),
                     static_cast<const T*>(y), static_cast<T*>(gi), rows, n, inner);
  });
}

void cross_entropy_forward(const CrossEntropyArgs& args, void* loss, void* row_weight,
                           void* row_max, void* log_sum) {
  const int64_t rows = args.outer * args.inner;
  if (rows == 0) return;
  EMBER_DISPATCH_FLOATING(args.dtype, "cross_entropy", [&] {
    using T = scalar_t;
    const RowLaunch cfg = row_launch(rows, args.classes, args.inner, sizeof(T));
    EMBER_ROW_LAUNCH(cross_entropy_forward_kernel, T, cfg, args, static_cast<T*>(loss),
                     static_cast<T*>(row_weight), static_cast<T*>(row_max),
                     static_cast<T*>(log_sum));
  });
}

void cross_entropy_backward(const CrossEntropyArgs& args, const void* row_max,
                            const void* log_sum,
                            const void* grad_output, int64_t grad_stride,
                            const void* total_weight, void* grad_input) {
  const int64_t rows = args.outer * args.inner;
  if (rows == 0) return;
  EMBER_DISPATCH_FLOATING(args.dtype, "cross_entropy_backward", [&] {
    using T = scalar_t;
    const RowLaunch cfg = row_launch(rows, args.classes, args.inner, sizeof(T));
    EMBER_ROW_LAUNCH(cross_entropy_backward_kernel, T, cfg, args,
                     static_cast<const T*>(row_max), static_cast<const T*>(log_sum),
                     static_cast<const T*>(grad_output), grad_stride,
                     static_cast<const T*>(total_weight), static_cast<T*>(grad_input));
  });
}

}  // namespace ember::cuda
