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

}  // namespace ember::layer_norm_math
