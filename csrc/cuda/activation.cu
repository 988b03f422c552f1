// Activation kernels: one thread per element in a grid-stride loop over a bounded grid, one
// kernel per op and dtype; the per-element math is core/activation_scalar.h's, shared with the
// CPU kernels. PReLU's backward runs one block per channel, which also reduces the channel's
// weight gradient (a fixed tree, so the result is deterministic).
#include <cstdint>

#include "core/activation_scalar.h"
#include "cuda/activation.h"
#include "cuda/launch.h"

namespace ember::cuda {
namespace {

using ops::ActivationOp;

constexpr int kThreads = 256;
constexpr int64_t kMaxBlocks = 1024;  // about one wave of resident threads on an H100
constexpr unsigned kFullMask = 0xffffffffu;

EMBER_SCALAR_MATH1(exp)
EMBER_SCALAR_MATH1(expm1)
EMBER_SCALAR_MATH1(log1p)
EMBER_SCALAR_MATH1(tanh)
EMBER_SCALAR_MATH1(erf)

struct DeviceMath {
  template <class T> EMBER_HOST_DEVICE static T exp(T x) { return exp_(x); }
  template <class T> EMBER_HOST_DEVICE static T expm1(T x) { return expm1_(x); }
  template <class T> EMBER_HOST_DEVICE static T log1p(T x) { return log1p_(x); }
  template <class T> EMBER_HOST_DEVICE static T tanh(T x) { return tanh_(x); }
  template <class T> EMBER_HOST_DEVICE static T erf(T x) { return erf_(x); }
};

// x, y: (n,)
template <ActivationOp Op, class T>
__global__ void forward_kernel(act::Params<T> p, const T* x, T* y, int64_t n) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += step)
    y[i] = act::forward<Op, DeviceMath>(x[i], p);
}

// g, v (x or y), gi: (n,)
template <ActivationOp Op, class T>
__global__ void backward_kernel(act::Params<T> p, const T* g, const T* v, T* gi, int64_t n) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += step)
    gi[i] = act::backward<Op, DeviceMath>(g[i], v[i], p);
}

// x, y: (outer, channels, inner); w: (channels,)
template <class T>
__global__ void prelu_forward_kernel(const T* x, const T* w, T* y, int64_t n, int64_t channels,
                                     int64_t inner) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += step)
    y[i] = act::prelu(x[i], w[(i / inner) % channels]);
}

// One block per channel c (blockIdx.x); its threads walk the channel's (outer, inner) elements.
//   g, x, gi: (outer, channels, inner); w, gw: (channels,); smem: (kThreads / 32,) T
template <class T>
__global__ void prelu_backward_kernel(const T* g, const T* x, const T* w, T* gi, T* gw,
                                      int64_t outer, int64_t channels, int64_t inner) {
  EMBER_DYNAMIC_SHARED(T, smem);
  const int64_t c = blockIdx.x;
  const T wc = w[c];
  const int64_t count = outer * inner;
  T acc = 0;
  for (int64_t k = threadIdx.x; k < count; k += blockDim.x) {
    const int64_t at = ((k / inner) * channels + c) * inner + k % inner;
    const T xi = x[at], gv = g[at];
    const bool positive = xi > T(0);
    gi[at] = positive ? gv : wc * gv;
    acc += positive ? T(0) : xi * gv;
  }
  for (int delta = 16; delta > 0; delta /= 2) acc += __shfl_down_sync(kFullMask, acc, delta);
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  if (lane == 0) smem[warp] = acc;
  __syncthreads();
  if (threadIdx.x == 0) {
    T total = 0;
    for (int k = 0; k < static_cast<int>(blockDim.x) / 32; ++k) total += smem[k];
    gw[c] = total;
  }
}

}  // namespace

void activation_forward(ActivationOp op, const ops::ActivationParams& params, DType dtype,
                        const void* x, void* y, int64_t n) {
  if (n == 0) return;
  EMBER_DISPATCH_FLOATING(dtype, ops::op_name(op), [&] {
    using T = scalar_t;
    act::visit(op, [&](auto op_constant) {
      constexpr ActivationOp Op = decltype(op_constant)::value;
      EMBER_LAUNCH((forward_kernel<Op, T>), blocks_for(n, kThreads, kMaxBlocks), kThreads, 0,
                   nullptr, act::params_of<T>(params), static_cast<const T*>(x), static_cast<T*>(y),
                   n);
    });
  });
}

void activation_backward(ActivationOp op, const ops::ActivationParams& params, DType dtype,
                         const void* g, const void* v, void* gi, int64_t n) {
  if (n == 0) return;
  EMBER_DISPATCH_FLOATING(dtype, ops::op_name(op), [&] {
    using T = scalar_t;
    act::visit(op, [&](auto op_constant) {
      constexpr ActivationOp Op = decltype(op_constant)::value;
      EMBER_LAUNCH((backward_kernel<Op, T>), blocks_for(n, kThreads, kMaxBlocks), kThreads, 0,
                   nullptr, act::params_of<T>(params), static_cast<const T*>(g),
                   static_cast<const T*>(v), static_cast<T*>(gi), n);
    });
  });
}

void prelu_forward(DType dtype, const void* x, const void* w, void* y, int64_t outer,
                   int64_t channels, int64_t inner) {
  const int64_t n = outer * channels * inner;
  if (n == 0) return;
  EMBER_DISPATCH_FLOATING(dtype, "prelu", [&] {
    using T = scalar_t;
    EMBER_LAUNCH(prelu_forward_kernel<T>, blocks_for(n, kThreads, kMaxBlocks), kThreads, 0, nullptr,
                 static_cast<const T*>(x), static_cast<const T*>(w), static_cast<T*>(y), n,
                 channels, inner);
  });
}

void prelu_backward(DType dtype, const void* g, const void* x, const void* w, void* gi, void* gw,
                    int64_t outer, int64_t channels, int64_t inner) {
  if (channels == 0) return;
  EMBER_DISPATCH_FLOATING(dtype, "prelu_backward", [&] {
    using T = scalar_t;
    EMBER_LAUNCH(prelu_backward_kernel<T>, static_cast<unsigned>(channels), kThreads,
                 (kThreads / 32) * sizeof(T), nullptr, static_cast<const T*>(g),
                 static_cast<const T*>(x), static_cast<const T*>(w), static_cast<T*>(gi),
                 static_cast<T*>(gw), outer, channels, inner);
  });
}

}  // namespace ember::cuda
