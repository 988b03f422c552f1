// 2-D and 3-D pooling on CUDA: one thread per output element in a grid-stride loop, each by the window
// rules of core/pool_scalar.h (the CPU kernels' own). The backward passes scatter with atomicAdd
// into grad_input (zero on entry), since overlapping windows share input elements.
//   input / grad_input / source (planes, d, h, w);
//   output / grad_output / indices (planes, out_d, out_h, out_w).
#include "cuda/launch.h"
#include "cuda/pool.h"

namespace ember::cuda {
namespace {

constexpr int kThreads = 256;
constexpr int64_t kMaxBlocks = 65535;

#define EMBER_POOL_LOOP(total)                                                             \
  for (int64_t o = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; o < (total); \
       o += static_cast<int64_t>(gridDim.x) * blockDim.x)

template <class T>
__global__ void max_forward(PoolShape s, const T* input, T* output, int64_t* indices,
                            int64_t total) {
  EMBER_POOL_LOOP(total) {
    const int64_t p = o / s.out_plane();
    pool_hd::max_element(s, input + p * s.in_plane(), pool_hd::out_pos(s, o % s.out_plane()),
                         output + o, indices + o);
  }
}

template <class T>
__global__ void max_backward(PoolShape s, const T* grad_output, const int64_t* indices,
                             T* grad_input, int64_t total) {
  EMBER_POOL_LOOP(total) {
    atomicAdd(grad_input + o / s.out_plane() * s.in_plane() + indices[o], grad_output[o]);
  }
}

template <class T>
__global__ void unpool(PoolShape s, const T* input, const int64_t* indices, T* output,
                       int64_t total) {
  EMBER_POOL_LOOP(total) { output[o / s.out_plane() * s.in_plane() + indices[o]] = input[o]; }
}

template <class T>
__global__ void gather(PoolShape s, const T* source, const int64_t* indices, T* output,
                       int64_t total) {
  EMBER_POOL_LOOP(total) { output[o] = source[o / s.out_plane() * s.in_plane() + indices[o]]; }
}

template <class T>
__global__ void avg_forward(PoolShape s, const T* input, T* output, int64_t total) {
  EMBER_POOL_LOOP(total) {
    const int64_t p = o / s.out_plane();
    output[o] = pool_hd::avg_element(s, input + p * s.in_plane(),
                                     pool_hd::out_pos(s, o % s.out_plane()));
  }
}

template <class T>
__global__ void avg_backward(PoolShape s, const T* grad_output, T* grad_input, int64_t total) {
  EMBER_POOL_LOOP(total) {
    const pool_hd::OutPos at = pool_hd::out_pos(s, o % s.out_plane());
    const pool_hd::Window win = pool_hd::window_of(s, at.od, at.oh, at.ow);
    const int64_t divisor = pool_hd::avg_divisor(s, win);
    const T share = divisor > 0 ? grad_output[o] / static_cast<T>(divisor) : grad_output[o];
    T* gin = grad_input + o / s.out_plane() * s.in_plane();
    for (int64_t id = win.z.start; id < win.z.end; ++id)
      for (int64_t ih = win.r.start; ih < win.r.end; ++ih)
        for (int64_t iw = win.c.start; iw < win.c.end; ++iw)
          atomicAdd(gin + (id * s.h + ih) * s.w + iw, share);
  }
}

#undef EMBER_POOL_LOOP

}  // namespace

void max_pool_forward(const PoolShape& s, DType dtype, const void* input, void* output,
                        int64_t* indices) {
  const int64_t total = s.planes * s.out_plane();
  if (total == 0) return;
  EMBER_DISPATCH_FLOATING(dtype, "max_pool", [&] {
    EMBER_LAUNCH(max_forward<scalar_t>, blocks_for(total, kThreads, kMaxBlocks), kThreads, 0,
                 nullptr, s, static_cast<const scalar_t*>(input), static_cast<scalar_t*>(output),
                 indices, total);
  });
}

void max_pool_backward(const PoolShape& s, DType dtype, const void* grad_output,
                         const int64_t* indices, void* grad_input) {
  const int64_t total = s.planes * s.out_plane();
  if (total == 0) return;
  EMBER_DISPATCH_FLOATING(dtype, "max_pool_backward", [&] {
    EMBER_LAUNCH(max_backward<scalar_t>, blocks_for(total, kThreads, kMaxBlocks), kThreads, 0,
                 nullptr, s, static_cast<const scalar_t*>(grad_output), indices,
                 static_cast<scalar_t*>(grad_input), total);
  });
}

void max_unpool_forward(const PoolShape& s, DType dtype, const void* input, const int64_t* indices,
                        void* output) {
  const int64_t total = s.planes * s.out_plane();
  if (total == 0) return;
  EMBER_DISPATCH_FLOATING(dtype, "max_unpool", [&] {
    EMBER_LAUNCH(unpool<scalar_t>, blocks_for(total, kThreads, kMaxBlocks), kThreads, 0, nullptr, s,
                 static_cast<const scalar_t*>(input), indices, static_cast<scalar_t*>(output),
                 total);
  });
}

void max_pool_gather(const PoolShape& s, DType dtype, const void* source, const int64_t* indices,
                     void* output) {
  const int64_t total = s.planes * s.out_plane();
  if (total == 0) return;
  EMBER_DISPATCH_FLOATING(dtype, "max_pool_gather", [&] {
    EMBER_LAUNCH(gather<scalar_t>, blocks_for(total, kThreads, kMaxBlocks), kThreads, 0, nullptr, s,
                 static_cast<const scalar_t*>(source), indices, static_cast<scalar_t*>(output),
                 total);
  });
}

void avg_pool_forward(const PoolShape& s, DType dtype, const void* input, void* output) {
  const int64_t total = s.planes * s.out_plane();
  if (total == 0) return;
  EMBER_DISPATCH_FLOATING(dtype, "avg_pool", [&] {
    EMBER_LAUNCH(avg_forward<scalar_t>, blocks_for(total, kThreads, kMaxBlocks), kThreads, 0,
                 nullptr, s, static_cast<const scalar_t*>(input), static_cast<scalar_t*>(output),
                 total);
  });
}

void avg_pool_backward(const PoolShape& s, DType dtype, const void* grad_output,
                         void* grad_input) {
  const int64_t total = s.planes * s.out_plane();
  if (total == 0) return;
  EMBER_DISPATCH_FLOATING(dtype, "avg_pool_backward", [&] {
    EMBER_LAUNCH(avg_backward<scalar_t>, blocks_for(total, kThreads, kMaxBlocks), kThreads, 0,
                 nullptr, s, static_cast<const scalar_t*>(grad_output),
                 static_cast<scalar_t*>(grad_input), total);
  });
}

}  // namespace ember::cuda
