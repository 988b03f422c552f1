// 2-D pooling on CUDA: one thread per output element in a grid-stride loop, each by the window
// rules of core/pool_scalar.h (the CPU kernels' own). The backward passes scatter with atomicAdd
// into grad_input (zero on entry), since overlapping windows share input elements.
//   input / grad_input (planes, h, w); output / grad_output / indices (planes, out_h, out_w).
#include <algorithm>

#include "cuda/launch.h"
#include "cuda/pool.h"

namespace ember::cuda {
namespace {

constexpr int kThreads = 256;

int blocks_for(int64_t n) {
  return static_cast<int>(std::min<int64_t>((n + kThreads - 1) / kThreads, 65535));
}

#define EMBER_POOL_LOOP(total)                                                             \
  for (int64_t o = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; o < (total); \
       o += static_cast<int64_t>(gridDim.x) * blockDim.x)

template <class T>
__global__ void max_forward(Pool2dShape s, const T* input, T* output, int64_t* indices,
                            int64_t total) {
  EMBER_POOL_LOOP(total) {
    const int64_t ow = o % s.out_w, oh = o / s.out_w % s.out_h, p = o / (s.out_h * s.out_w);
    pool_hd::max_element(s, input + p * s.h * s.w, oh, ow, output + o, indices + o);
  }
}

template <class T>
__global__ void max_backward(Pool2dShape s, const T* grad_output, const int64_t* indices,
                             T* grad_input, int64_t total) {
  EMBER_POOL_LOOP(total) {
    const int64_t p = o / (s.out_h * s.out_w);
    atomicAdd(grad_input + p * s.h * s.w + indices[o], grad_output[o]);
  }
}

template <class T>
__global__ void avg_forward(Pool2dShape s, const T* input, T* output, int64_t total) {
  EMBER_POOL_LOOP(total) {
    const int64_t ow = o % s.out_w, oh = o / s.out_w % s.out_h, p = o / (s.out_h * s.out_w);
    output[o] = pool_hd::avg_element(s, input + p * s.h * s.w, oh, ow);
  }
}

template <class T>
__global__ void avg_backward(Pool2dShape s, const T* grad_output, T* grad_input, int64_t total) {
  EMBER_POOL_LOOP(total) {
    const int64_t ow = o % s.out_w, oh = o / s.out_w % s.out_h, p = o / (s.out_h * s.out_w);
    const pool_hd::Range r = pool_hd::row_window(s, oh), c = pool_hd::col_window(s, ow);
    const int64_t divisor = pool_hd::avg_divisor(s, r, c);
    const T share = divisor > 0 ? grad_output[o] / static_cast<T>(divisor) : grad_output[o];
    T* gin = grad_input + p * s.h * s.w;
    for (int64_t ih = r.start; ih < r.end; ++ih)
      for (int64_t iw = c.start; iw < c.end; ++iw) atomicAdd(gin + ih * s.w + iw, share);
  }
}

#undef EMBER_POOL_LOOP

}  // namespace

void max_pool2d_forward(const Pool2dShape& s, DType dtype, const void* input, void* output,
                        int64_t* indices) {
  const int64_t total = s.planes * s.out_h * s.out_w;
  if (total == 0) return;
  EMBER_DISPATCH_FLOATING(dtype, "max_pool2d", [&] {
    EMBER_LAUNCH(max_forward<scalar_t>, blocks_for(total), kThreads, 0, nullptr, s,
                 static_cast<const scalar_t*>(input), static_cast<scalar_t*>(output), indices,
                 total);
  });
}

void max_pool2d_backward(const Pool2dShape& s, DType dtype, const void* grad_output,
                         const int64_t* indices, void* grad_input) {
  const int64_t total = s.planes * s.out_h * s.out_w;
  if (total == 0) return;
  EMBER_DISPATCH_FLOATING(dtype, "max_pool2d_backward", [&] {
    EMBER_LAUNCH(max_backward<scalar_t>, blocks_for(total), kThreads, 0, nullptr, s,
                 static_cast<const scalar_t*>(grad_output), indices,
                 static_cast<scalar_t*>(grad_input), total);
  });
}

void avg_pool2d_forward(const Pool2dShape& s, DType dtype, const void* input, void* output) {
  const int64_t total = s.planes * s.out_h * s.out_w;
  if (total == 0) return;
  EMBER_DISPATCH_FLOATING(dtype, "avg_pool2d", [&] {
    EMBER_LAUNCH(avg_forward<scalar_t>, blocks_for(total), kThreads, 0, nullptr, s,
                 static_cast<const scalar_t*>(input), static_cast<scalar_t*>(output), total);
  });
}

void avg_pool2d_backward(const Pool2dShape& s, DType dtype, const void* grad_output,
                         void* grad_input) {
  const int64_t total = s.planes * s.out_h * s.out_w;
  if (total == 0) return;
  EMBER_DISPATCH_FLOATING(dtype, "avg_pool2d_backward", [&] {
    EMBER_LAUNCH(avg_backward<scalar_t>, blocks_for(total), kThreads, 0, nullptr, s,
                 static_cast<const scalar_t*>(grad_output), static_cast<scalar_t*>(grad_input),
                 total);
  });
}

}  // namespace ember::cuda
