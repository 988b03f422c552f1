// GroupNorm forward and backward on the device; the math is in core/group_norm_math.h.
//   x, y, grad, dx: (N, C, L) with C = G * D; weight, bias, dweight, dbias: (C) or null;
//   mean, rstd: (N, G); sums: (2, N, C) = per-(n, c) sum of grad, then of grad * xhat
// Each (n, g) group is one contiguous run of D * L elements: one block of kThreads per group
// (grid-stride), sums folded by block_sum's shared-memory tree in a fixed order. The backward's
// per-(n, c) sums take one block per (n, c); the parameter gradients one thread per channel
// summing the samples in order. No atomics: deterministic.
#include "core/group_norm_math.h"
#include "cuda/block_sum.cuh"
#include "cuda/group_norm.h"
#include "cuda/launch.h"
#include "cuda/norm_rows.cuh"

namespace ember::cuda {
namespace gnm = group_norm_math;
namespace {

using norm_rows::grid_for;
using norm_rows::kThreads;

template <class T>
__global__ void forward_groups(const T* x, const T* w, const T* b, T* y, double* mean,
                               double* rstd, int64_t groups, int64_t G, int64_t D, int64_t L,
                               double eps) {
  __shared__ double shm[kThreads];
  const int64_t count = D * L;
  // The group loop bound is the same for every thread of the block: all reach each barrier.
  for (int64_t t = blockIdx.x; t < groups; t += gridDim.x) {
    const T* xg = x + t * count;
    const norm_rows::MeanRstd st = norm_rows::row_stats(xg, count, eps, shm);
    if (threadIdx.x == 0) {
      mean[t] = st.mean;
      rstd[t] = st.rstd;
    }
    const int64_t c0 = t % G * D;
    for (int64_t i = threadIdx.x; i < count; i += kThreads) {
      const gnm::ChannelAffine a = gnm::channel_affine(st.mean, st.rstd, w, b, c0 + i / L);
      y[t * count + i] = static_cast<T>(static_cast<double>(xg[i]) * a.scale + a.shift);
    }
  }
}

template <class T>
__global__ void channel_sums(const T* g, const T* x, const double* mean, const double* rstd,
                             double* sum_g, double* sum_g_xhat, int64_t NC, int64_t C,
                             int64_t G, int64_t D, int64_t L) {
  __shared__ double shm[kThreads];
  for (int64_t r = blockIdx.x; r < NC; r += gridDim.x) {  // r = n * C + c
    const int64_t t = r / C * G + r % C / D;
    const double m = mean[t];
    double sg = 0, sgx = 0;
    for (int64_t l = threadIdx.x; l < L; l += kThreads) {
      const double gv = static_cast<double>(g[r * L + l]);
      sg += gv;
      sgx += gv * (static_cast<double>(x[r * L + l]) - m);
    }
    const double total_g = block_sum<kThreads>(sg, shm);
    const double total_gx = block_sum<kThreads>(sgx, shm);
    if (threadIdx.x == 0) {
      sum_g[r] = total_g;
      sum_g_xhat[r] = rstd[t] * total_gx;
    }
  }
}

template <class T>
__global__ void input_grad_groups(const T* g, const T* x, const double* mean, const double* rstd,
                                  const T* w, const double* sum_g, const double* sum_g_xhat,
                                  T* dx, int64_t groups, int64_t G, int64_t D, int64_t L) {
  const int64_t count = D * L;
  for (int64_t t = blockIdx.x; t < groups; t += gridDim.x) {
    const int64_t n = t / G, c0 = t % G * D, C = G * D;
    const double m = mean[t], rs = rstd[t];
    // Every thread folds the group's D channel sums itself: no barrier, D is small.
    const gnm::GroupGradSums s = gnm::group_grad_sums(sum_g + n * C, sum_g_xhat + n * C, w, c0, D);
    for (int64_t i = threadIdx.x; i < count; i += kThreads) {
      const int64_t c = c0 + i / L, e = t * count + i;
      const double wc = w ? static_cast<double>(w[c]) : 1.0;
      const double xhat = layer_norm_math::normalized(static_cast<double>(x[e]), m, rs);
      dx[e] = static_cast<T>(gnm::input_grad(static_cast<double>(g[e]) * wc, xhat, s, rs, count));
    }
  }
}

template <class T>
__global__ void param_grads(const double* sum_g, const double* sum_g_xhat, T* dw, T* db,
                            int64_t N, int64_t C) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t c = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; c < C; c += step)
    gnm::param_grads_channel(sum_g, sum_g_xhat, dw, db, N, C, c);
}

}  // namespace

void group_norm_kernel(const void* x, const void* weight, const void* bias, void* y,
                       double* mean, double* rstd, DType dtype, int64_t N, int64_t C,
                       int64_t L, int64_t G, double eps) {
  if (N * G == 0) return;
  EMBER_DISPATCH_FLOATING(dtype, "group_norm", [&] {
    using T = scalar_t;
    EMBER_LAUNCH(forward_groups<T>, grid_for(N * G), kThreads, 0, nullptr,
                 static_cast<const T*>(x), static_cast<const T*>(weight),
                 static_cast<const T*>(bias), static_cast<T*>(y), mean, rstd, N * G, G, C / G,
                 L, eps);
  });
}

void group_norm_backward_kernel(const void* grad, const void* x, const double* mean,
                                const double* rstd, const void* weight, void* dx, void* dweight,
                                void* dbias, double* sums, DType dtype, int64_t N, int64_t C,
                                int64_t L, int64_t G) {
  if (N * C == 0) return;
  EMBER_DISPATCH_FLOATING(dtype, "group_norm_backward", [&] {
    using T = scalar_t;
    const T *g = static_cast<const T*>(grad), *xs = static_cast<const T*>(x);
    double *sum_g = sums, *sum_g_xhat = sums + N * C;
    EMBER_LAUNCH(channel_sums<T>, grid_for(N * C), kThreads, 0, nullptr, g, xs, mean, rstd,
                 sum_g, sum_g_xhat, N * C, C, G, C / G, L);
    if (dx)
      EMBER_LAUNCH(input_grad_groups<T>, grid_for(N * G), kThreads, 0, nullptr, g, xs, mean,
                   rstd, static_cast<const T*>(weight), sum_g, sum_g_xhat, static_cast<T*>(dx),
                   N * G, G, C / G, L);
    if (dweight || dbias)
      EMBER_LAUNCH(param_grads<T>, grid_for((C + kThreads - 1) / kThreads), kThreads, 0,
                   nullptr, sum_g, sum_g_xhat, static_cast<T*>(dweight), static_cast<T*>(dbias),
                   N, C);
  });
}

}  // namespace ember::cuda
