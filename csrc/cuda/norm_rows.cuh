// What the normalization kernels that give each row (layer_norm.cu) or group (group_norm.cu) one
// block share: the block size, the grid of their grid-stride loops, and a row's statistics.
#pragma once

#include <algorithm>
#include <cstdint>

#include "core/layer_norm_math.h"
#include "cuda/block_sum.cuh"
#include "cuda/launch.h"

namespace ember::cuda::norm_rows {

constexpr int kThreads = 128;  // a power of two, for block_sum's tree
constexpr int64_t kMaxBlocks = 1024;

// Blocks for a grid-stride loop over `tasks` (rows, groups, blocks of columns).
inline int grid_for(int64_t tasks) { return static_cast<int>(std::min(tasks, kMaxBlocks)); }

struct MeanRstd {
  double mean, rstd;
};

// The mean and 1 / sqrt(biased variance + eps) of x[0, n), in double: the variance sums the
// squared deviations from the mean in a second pass. Every thread of the block must call it,
// and every thread gets the result. shm: kThreads doubles of shared memory.
template <class T>
__device__ MeanRstd row_stats(const T* x, int64_t n, double eps, double* shm) {
  double s = 0;
  for (int64_t j = threadIdx.x; j < n; j += kThreads) s += static_cast<double>(x[j]);
  const double mean = block_sum<kThreads>(s, shm) / static_cast<double>(n);
  double sq = 0;
  for (int64_t j = threadIdx.x; j < n; j += kThreads) {
    const double d = static_cast<double>(x[j]) - mean;
    sq += d * d;
  }
  return {mean, layer_norm_math::rstd_of(block_sum<kThreads>(sq, shm), n, eps)};
}

}  // namespace ember::cuda::norm_rows
