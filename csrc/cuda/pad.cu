// Padding on CUDA: one thread per output element in a grid-stride loop, reading the source that
// core/pad_scalar.h gives it (the CPU kernels' own). The backward pass adds with atomicAdd,
// since reflect, replicate and circular padding read an input element more than once.
//   input / grad_input (planes, in[0..2]); output / grad_output (planes, out[0..2]).
#include "cuda/launch.h"
#include "cuda/pad.h"

namespace ember::cuda {
namespace {

constexpr int kThreads = 256;
constexpr int64_t kMaxBlocks = 65535;

template <class T>
__global__ void forward(PadShape s, const T* input, T* output, int64_t total) {
  for (int64_t o = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; o < total;
       o += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t at = pad_hd::source_offset(s, o % s.out_plane());
    output[o] = at < 0 ? static_cast<T>(s.value) : input[o / s.out_plane() * s.in_plane() + at];
  }
}

template <class T>
__global__ void backward(PadShape s, const T* grad_output, T* grad_input, int64_t total) {
  for (int64_t o = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; o < total;
       o += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t at = pad_hd::source_offset(s, o % s.out_plane());
    if (at >= 0) atomicAdd(grad_input + o / s.out_plane() * s.in_plane() + at, grad_output[o]);
  }
}

}  // namespace

void pad_forward(const PadShape& s, DType dtype, const void* input, void* output) {
  const int64_t total = s.planes * s.out_plane();
  if (total == 0) return;
  EMBER_DISPATCH_FLOATING(dtype, "pad", [&] {
    EMBER_LAUNCH(forward<scalar_t>, blocks_for(total, kThreads, kMaxBlocks), kThreads, 0, nullptr,
                 s, static_cast<const scalar_t*>(input), static_cast<scalar_t*>(output), total);
  });
}

void pad_backward(const PadShape& s, DType dtype, const void* grad_output, void* grad_input) {
  const int64_t total = s.planes * s.out_plane();
  if (total == 0) return;
  EMBER_DISPATCH_FLOATING(dtype, "pad_backward", [&] {
    EMBER_LAUNCH(backward<scalar_t>, blocks_for(total, kThreads, kMaxBlocks), kThreads, 0, nullptr,
                 s, static_cast<const scalar_t*>(grad_output), static_cast<scalar_t*>(grad_input),
                 total);
  });
}

}  // namespace ember::cuda
