// LayerNorm forward and backward on the device, math in core/layer_norm_math.h.
//   x, y, grad, dx: (rows, n); weight, bias, dweight, dbias: (n) or null; mean, rstd: (rows)
// Row kernels: one block of kThreads per row (grid-stride over rows), sums folded by a
// shared-memory tree in a fixed order. Parameter gradients: one thread per column summing its
// rows in order (coalesced across the threads of a warp; no atomics, deterministic).
#include "core/layer_norm_math.h"
#include "cuda/block_sum.cuh"
#include "cuda/launch.h"
#include "cuda/layer_norm.h"
#include "cuda/norm_rows.cuh"

namespace ember::cuda {
namespace lnm = layer_norm_math;
namespace {

using norm_rows::grid_for;
using norm_rows::kThreads;

template <class T>
__global__ void forward_rows(const T* x, const T* w, const T* b, T* y, double* mean,
                             double* rstd, int64_t rows, int64_t n, double eps) {
  __shared__ double shm[kThreads];
  // The row loop bound is the same for every thread of the block: all reach each barrier.
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const T* xr = x + r * n;
    const norm_rows::MeanRstd st = norm_rows::row_stats(xr, n, eps, shm);
    if (threadIdx.x == 0) {
      mean[r] = st.mean;
      rstd[r] = st.rstd;
    }
    for (int64_t j = threadIdx.x; j < n; j += kThreads)
      y[r * n + j] =
          lnm::affine(lnm::normalized(static_cast<double>(xr[j]), st.mean, st.rstd), w, b, j);
  }
}

template <class T>
__global__ void backward_input(const T* g, const T* x, const double* mean, const double* rstd,
                               const T* w, T* dx, int64_t rows, int64_t n) {
  __shared__ double shm[kThreads];
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const T *gr = g + r * n, *xr = x + r * n;
    const double m = mean[r], rs = rstd[r];
    double s_gw = 0, s_gw_xhat = 0;
    for (int64_t j = threadIdx.x; j < n; j += kThreads) {
      const double gw = lnm::scaled_grad(gr[j], w, j);
      s_gw += gw;
      s_gw_xhat += gw * lnm::normalized(static_cast<double>(xr[j]), m, rs);
    }
    const double sum_gw = block_sum<kThreads>(s_gw, shm);
    const double sum_gw_xhat = block_sum<kThreads>(s_gw_xhat, shm);
    for (int64_t j = threadIdx.x; j < n; j += kThreads) {
      const double xhat = lnm::normalized(static_cast<double>(xr[j]), m, rs);
      dx[r * n + j] = static_cast<T>(
          lnm::input_grad(lnm::scaled_grad(gr[j], w, j), xhat, sum_gw, sum_gw_xhat, rs, n));
    }
  }
}

template <class T>
__global__ void backward_params(const T* g, const T* x, const double* mean, const double* rstd,
                                T* dw, T* db, int64_t rows, int64_t n) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t j = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; j < n;
       j += step)
    lnm::param_grads_column(g, x, mean, rstd, dw, db, rows, n, j);
}

}  // namespace

void layer_norm_kernel(const void* x, const void* weight, const void* bias, void* y,
                       double* mean, double* rstd, DType dtype, int64_t rows, int64_t n,
                       double eps) {
  if (rows == 0 || n == 0) return;
  EMBER_DISPATCH_FLOATING(dtype, "layer_norm", [&] {
    using T = scalar_t;
    EMBER_LAUNCH(forward_rows<T>, grid_for(rows), kThreads, 0, nullptr, static_cast<const T*>(x),
                 static_cast<const T*>(weight), static_cast<const T*>(bias), static_cast<T*>(y),
                 mean, rstd, rows, n, eps);
  });
}

void layer_norm_backward_kernel(const void* grad, const void* x, const double* mean,
                                const double* rstd, const void* weight, void* dx, void* dweight,
                                void* dbias, DType dtype, int64_t rows, int64_t n) {
  if (n == 0) return;
  EMBER_DISPATCH_FLOATING(dtype, "layer_norm_backward", [&] {
    using T = scalar_t;
    const T *g = static_cast<const T*>(grad), *xs = static_cast<const T*>(x);
    if (dx && rows > 0)
      EMBER_LAUNCH(backward_input<T>, grid_for(rows), kThreads, 0, nullptr, g, xs, mean, rstd,
                   static_cast<const T*>(weight), static_cast<T*>(dx), rows, n);
    if (dweight)
      EMBER_LAUNCH(backward_params<T>, blocks_for(n, kThreads, norm_rows::kMaxBlocks), kThreads,
                   0, nullptr, g, xs, mean, rstd, static_cast<T*>(dweight),
                   static_cast<T*>(dbias), rows, n);
  });
}

}  // namespace ember::cuda
