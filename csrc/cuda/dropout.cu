// Dropout in one pass on the device: draw, mask and scale per Philox block (one block per
// thread, through cuda/philox_blocks.cuh); the backward one element per thread.
//   x, out, grad: n contiguous elements of T; mask: n contiguous bools
#include "core/dropout_math.h"
#include "cuda/dropout.h"
#include "cuda/philox_blocks.cuh"

namespace ember::cuda {
namespace {

template <class T>
__global__ void dropout_backward_elements(const T* grad, const bool* mask, T* out, int64_t n,
                                          T scale) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += step)
    out[i] = dropout_math::apply(grad[i], mask[i], scale);
}

}  // namespace

void dropout_kernel(const void* x, void* out, bool* mask, DType dtype, int64_t n, uint64_t seed,
                    uint64_t first, double p) {
  dropout_math::forward(kDraw, x, out, mask, dtype, n, seed, first, p);
}

void dropout_backward_kernel(const void* grad, const bool* mask, void* out, DType dtype,
                             int64_t n, double scale) {
  if (n == 0) return;
  EMBER_DISPATCH_FLOATING(dtype, "dropout_backward", [&] {
    constexpr int kThreads = 256;
    const int grid = blocks_for(n, kThreads, 4096);
    EMBER_LAUNCH(dropout_backward_elements<scalar_t>, grid, kThreads, 0, nullptr,
                 static_cast<const scalar_t*>(grad), mask, static_cast<scalar_t*>(out), n,
                 static_cast<scalar_t>(scale));
  });
}

}  // namespace ember::cuda
