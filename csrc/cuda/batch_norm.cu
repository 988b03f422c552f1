// BatchNorm forward and backward on the device: one block of kThreads per channel (grid-stride
// over channels), its N * L elements strided by C * L, sums folded by a shared-memory tree in a
// fixed order (deterministic, no atomics). The math is LayerNorm's with a channel in place of a
// row (core/layer_norm_math.h).
//   x, y, grad, dx: (N, C, L); weight, bias, dweight, dbias: (C) or null; mean, var: (C)
#include <algorithm>

#include "core/layer_norm_math.h"
#include "cuda/batch_norm.h"
#include "cuda/block_sum.cuh"
#include "cuda/launch.h"

namespace ember::cuda {
namespace lnm = layer_norm_math;
namespace {

constexpr int kThreads = 128;  // a power of two, for the tree
constexpr int64_t kMaxBlocks = 1024;

// The offset of element e (of N * L) of channel c.
__device__ int64_t at(int64_t e, int64_t c, int64_t C, int64_t L) {
  return (e / L * C + c) * L + e % L;
}

template <class T>
__global__ void forward_channels(const T* x, const T* w, const T* b, T* y, double* mean,
                                 double* var, bool training, int64_t C, int64_t L, int64_t count,
                                 double eps) {
  __shared__ double shm[kThreads];
  // The channel loop bound is the same for every thread of the block: all reach each barrier.
  for (int64_t c = blockIdx.x; c < C; c += gridDim.x) {
    if (training) {
      double s = 0;
      for (int64_t e = threadIdx.x; e < count; e += kThreads)
        s += static_cast<double>(x[at(e, c, C, L)]);
      const double m = block_sum<kThreads>(s, shm) / static_cast<double>(count);
      double sq = 0;
      for (int64_t e = threadIdx.x; e < count; e += kThreads) {
        const double d = static_cast<double>(x[at(e, c, C, L)]) - m;
        sq += d * d;
      }
      const double v = block_sum<kThreads>(sq, shm) / static_cast<double>(count);
      if (threadIdx.x == 0) {
        mean[c] = m;
        var[c] = v;
      }
      __syncthreads();  // thread 0's writes are read below
    }
    const double m = mean[c], rs = 1.0 / sqrt(var[c] + eps);
    for (int64_t e = threadIdx.x; e < count; e += kThreads) {
      const int64_t i = at(e, c, C, L);
      y[i] = lnm::affine(lnm::normalized(static_cast<double>(x[i]), m, rs), w, b, c);
    }
  }
}

template <class T>
__global__ void backward_channels(const T* g, const T* x, const double* mean, const double* var,
                                  const T* w, T* dx, T* dw, T* db, bool training, int64_t C,
                                  int64_t L, int64_t count, double eps) {
  __shared__ double shm[kThreads];
  for (int64_t c = blockIdx.x; c < C; c += gridDim.x) {
    const double m = mean[c], rs = 1.0 / sqrt(var[c] + eps);
    const double wc = w ? static_cast<double>(w[c]) : 1.0;
    double s_g = 0, s_g_xhat = 0;
    for (int64_t e = threadIdx.x; e < count; e += kThreads) {
      const int64_t i = at(e, c, C, L);
      const double gv = static_cast<double>(g[i]);
      s_g += gv;
      s_g_xhat += gv * lnm::normalized(static_cast<double>(x[i]), m, rs);
    }
    const double sum_g = block_sum<kThreads>(s_g, shm);
    const double sum_g_xhat = block_sum<kThreads>(s_g_xhat, shm);
    if (dw && threadIdx.x == 0) {
      dw[c] = static_cast<T>(sum_g_xhat);
      if (db) db[c] = static_cast<T>(sum_g);
    }
    if (!dx) continue;
    for (int64_t e = threadIdx.x; e < count; e += kThreads) {
      const int64_t i = at(e, c, C, L);
      const double gw = static_cast<double>(g[i]) * wc;
      const double xhat = lnm::normalized(static_cast<double>(x[i]), m, rs);
      dx[i] = static_cast<T>(training ? lnm::input_grad(gw, xhat, sum_g * wc, sum_g_xhat * wc,
                                                        rs, count)
                                      : gw * rs);
    }
  }
}

int channel_grid(int64_t C) { return static_cast<int>(std::min(C, kMaxBlocks)); }

}  // namespace

void batch_norm_kernel(const void* x, const void* weight, const void* bias, void* y,
                       double* mean, double* var, bool training, DType dtype, int64_t N,
                       int64_t C, int64_t L, double eps) {
  if (C == 0) return;
  EMBER_DISPATCH_FLOATING(dtype, "batch_norm", [&] {
    using T = scalar_t;
    EMBER_LAUNCH(forward_channels<T>, channel_grid(C), kThreads, 0, nullptr,
                 static_cast<const T*>(x), static_cast<const T*>(weight),
                 static_cast<const T*>(bias), static_cast<T*>(y), mean, var, training, C, L,
                 N * L, eps);
  });
}

void batch_norm_backward_kernel(const void* grad, const void* x, const double* mean,
                                const double* var, const void* weight, void* dx, void* dweight,
                                void* dbias, bool training, DType dtype, int64_t N, int64_t C,
                                int64_t L, double eps) {
  if (C == 0) return;
  EMBER_DISPATCH_FLOATING(dtype, "batch_norm_backward", [&] {
    using T = scalar_t;
    EMBER_LAUNCH(backward_channels<T>, channel_grid(C), kThreads, 0, nullptr,
                 static_cast<const T*>(grad), static_cast<const T*>(x), mean, var,
                 static_cast<const T*>(weight), static_cast<T*>(dx), static_cast<T*>(dweight),
                 static_cast<T*>(dbias), training, C, L, N * L, eps);
  });
}

}  // namespace ember::cuda
