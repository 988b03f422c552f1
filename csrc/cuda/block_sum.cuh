// A block-wide sum in double for kernels that give each row/channel one block (layer_norm.cu,
// batch_norm.cu): a shared-memory tree in a fixed order (deterministic, no atomics, no warp
// shuffles, so the emulator runs it as written).
#pragma once

#include "cuda/launch.h"

namespace ember::cuda {

// The sum of v over the kThreads threads of the block (a power of two); every thread gets it.
// Every thread must call it. shm: kThreads doubles of shared memory.
template <int kThreads>
__device__ double block_sum(double v, double* shm) {
  shm[threadIdx.x] = v;
  __syncthreads();
  for (int s = kThreads / 2; s > 0; s >>= 1) {
    if (static_cast<int>(threadIdx.x) < s) shm[threadIdx.x] += shm[threadIdx.x + s];
    __syncthreads();
  }
  const double total = shm[0];
  __syncthreads();  // shm is rewritten by the next call
  return total;
}

}  // namespace ember::cuda
