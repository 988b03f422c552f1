// LayerNorm forward and backward over contiguous rows, math in core/layer_norm_math.h.
//   x, y, grad, dx: (rows, n); weight, bias, dweight, dbias: (n) or null; mean, rstd: (rows)
// Rows go to threads; the parameter gradients split the columns instead, so that each element
// sums its rows in one fixed order (deterministic).
#include "cpu/layer_norm.h"

#include <algorithm>

#include "core/layer_norm_math.h"
#include "ember/parallel.h"

namespace ember::cpu {
namespace lnm = layer_norm_math;
namespace {

int64_t row_grain(int64_t n) { return std::max<int64_t>(1, kGrainSize / std::max<int64_t>(n, 1)); }

template <class T>
void forward_rows(const T* x, const T* w, const T* b, T* y, double* mean, double* rstd,
                  int64_t rows, int64_t n, double eps) {
  parallel_for(0, rows, row_grain(n), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const T* xr = x + r * n;
      double sum = 0;
      for (int64_t j = 0; j < n; ++j) sum += static_cast<double>(xr[j]);
      const double m = sum / static_cast<double>(n);
      double sq = 0;
      for (int64_t j = 0; j < n; ++j) {
        const double d = static_cast<double>(xr[j]) - m;
        sq += d * d;
      }
      const double rs = lnm::rstd_of(sq, n, eps);
      mean[r] = m;
      rstd[r] = rs;
      T* yr = y + r * n;
      for (int64_t j = 0; j < n; ++j)
        yr[j] = lnm::affine(lnm::normalized(static_cast<double>(xr[j]), m, rs), w, b, j);
    }
  });
}

template <class T>
void backward_input(const T* g, const T* x, const double* mean, const double* rstd, const T* w,
                    T* dx, int64_t rows, int64_t n) {
  parallel_for(0, rows, row_grain(n), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const T *gr = g + r * n, *xr = x + r * n;
      double sum_gw = 0, sum_gw_xhat = 0;
      for (int64_t j = 0; j < n; ++j) {
        const double gw = lnm::scaled_grad(gr[j], w, j);
        sum_gw += gw;
        sum_gw_xhat += gw * lnm::normalized(static_cast<double>(xr[j]), mean[r], rstd[r]);
      }
      T* dr = dx + r * n;
      for (int64_t j = 0; j < n; ++j) {
        const double xhat = lnm::normalized(static_cast<double>(xr[j]), mean[r], rstd[r]);
        dr[j] = static_cast<T>(lnm::input_grad(lnm::scaled_grad(gr[j], w, j), xhat, sum_gw,
                                               sum_gw_xhat, rstd[r], n));
      }
    }
  });
}

template <class T>
void backward_params(const T* g, const T* x, const double* mean, const double* rstd, T* dw,
                     T* db, int64_t rows, int64_t n) {
  const int64_t grain = std::max<int64_t>(1, kGrainSize / std::max<int64_t>(rows, 1));
  parallel_for(0, n, grain, [&](int64_t j0, int64_t j1) {
    for (int64_t j = j0; j < j1; ++j)
      lnm::param_grads_column(g, x, mean, rstd, dw, db, rows, n, j);
  });
}

}  // namespace

void layer_norm_kernel(const void* x, const void* weight, const void* bias, void* y,
                       double* mean, double* rstd, DType dtype, int64_t rows, int64_t n,
                       double eps) {
  EMBER_DISPATCH_FLOATING(dtype, "layer_norm", [&] {
    using T = scalar_t;
    forward_rows(static_cast<const T*>(x), static_cast<const T*>(weight),
                 static_cast<const T*>(bias), static_cast<T*>(y), mean, rstd, rows, n, eps);
  });
}

void layer_norm_backward_kernel(const void* grad, const void* x, const double* mean,
                                const double* rstd, const void* weight, void* dx, void* dweight,
                                void* dbias, DType dtype, int64_t rows, int64_t n) {
  EMBER_DISPATCH_FLOATING(dtype, "layer_norm_backward", [&] {
    using T = scalar_t;
    const T *g = static_cast<const T*>(grad), *xs = static_cast<const T*>(x);
    if (dx)
      backward_input(g, xs, mean, rstd, static_cast<const T*>(weight), static_cast<T*>(dx), rows,
                     n);
    if (dweight)
      backward_params(g, xs, mean, rstd, static_cast<T*>(dweight), static_cast<T*>(dbias), rows,
                      n);
  });
}

}  // namespace ember::cpu
