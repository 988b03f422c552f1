// LayerNorm's per-element math, shared by cpu/layer_norm.cc and cuda/layer_norm.cu. Rows of n
// elements are normalized by their mean and 1/sqrt(biased variance + eps); statistics and the
// sums of the backward accumulate in double whatever T is.
#pragma once

#include <cmath>
#include <cstdint>

#include "ember/host_device.h"

namespace ember::layer_norm_math {

EMBER_HOST_DEVICE inline double rstd_of(double sum_sq_dev, int64_t n, double eps) {
  return 1.0 / sqrt(sum_sq_dev / static_cast<double>(n) + eps);
}

EMBER_HOST_DEVICE inline double normalized(double x, double mean, double rstd) {
  return (x - mean) * rstd;
}

// y = xhat * w[j] + b[j]; w and b may be null (1 and 0).
template <class T>
EMBER_HOST_DEVICE inline T affine(double xhat, const T* w, const T* b, int64_t j) {
  const double v = w ? xhat * static_cast<double>(w[j]) : xhat;
  return static_cast<T>(b ? v + static_cast<double>(b[j]) : v);
}

// g * w[j] (w null: g), the gradient reaching xhat.
template <class T>
EMBER_HOST_DEVICE inline double scaled_grad(T g, const T* w, int64_t j) {
  return w ? static_cast<double>(g) * static_cast<double>(w[j]) : static_cast<double>(g);
}

// dx = rstd * (gw - (sum(gw) + xhat * sum(gw * xhat)) / n) over the row.
EMBER_HOST_DEVICE inline double input_grad(double gw, double xhat, double sum_gw,
                                           double sum_gw_xhat, double rstd, int64_t n) {
  return rstd * (gw - (sum_gw + xhat * sum_gw_xhat) / static_cast<double>(n));
}

// Column j of the parameter gradients: dweight[j] = sum_r g[r, j] * xhat[r, j] and
// dbias[j] = sum_r g[r, j] (dbias may be null), summed over the rows in order.
template <class T>
EMBER_HOST_DEVICE inline void param_grads_column(const T* g, const T* x, const double* mean,
                                                 const double* rstd, T* dw, T* db,
                                                 int64_t rows, int64_t n, int64_t j) {
  double sw = 0, sb = 0;
  for (int64_t r = 0; r < rows; ++r) {
    const double gv = static_cast<double>(g[r * n + j]);
    sw += gv * normalized(static_cast<double>(x[r * n + j]), mean[r], rstd[r]);
    sb += gv;
  }
  dw[j] = static_cast<T>(sw);
  if (db) db[j] = static_cast<T>(sb);
}

}  // namespace ember::layer_norm_math
