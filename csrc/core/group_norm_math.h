// GroupNorm's per-element and per-group math, shared by cpu/group_norm.simd.cc and
// cuda/group_norm.cu. Sample n's channels split into G groups of D = C / G consecutive channels;
// each group's D * L elements (contiguous in an (N, C, L) buffer) are normalized by their mean
// and 1/sqrt(biased variance + eps), then channel c is scaled by weight[c] and shifted by
// bias[c]. Statistics and gradient sums accumulate in double whatever T is.
#pragma once

#include <cstdint>

#include "core/layer_norm_math.h"
#include "ember/host_device.h"

namespace ember::group_norm_math {

// y = x * scale + shift for every element of channel c in group (mean, rstd): the affine map
// folded into two numbers per (n, c).
struct ChannelAffine {
  double scale, shift;
};

template <class T>
EMBER_HOST_DEVICE inline ChannelAffine channel_affine(double mean, double rstd, const T* w,
                                                      const T* b, int64_t c) {
  const double s = w ? rstd * static_cast<double>(w[c]) : rstd;
  return {s, (b ? static_cast<double>(b[c]) : 0.0) - mean * s};
}

// The two sums dx needs over a group, from the per-(n, c) sums of the backward's first pass:
// sum(g * w) and sum(g * w * xhat) over the group's elements, where sum_g[c] = sum_l g and
// sum_g_xhat[c] = sum_l g * xhat over channel c of sample n (pointers at channel 0 of the
// sample; w null: 1).
struct GroupGradSums {
  double gw, gw_xhat;
};

template <class T>
EMBER_HOST_DEVICE inline GroupGradSums group_grad_sums(const double* sum_g,
                                                       const double* sum_g_xhat, const T* w,
                                                       int64_t c0, int64_t D) {
  GroupGradSums s{0.0, 0.0};
  for (int64_t c = c0; c < c0 + D; ++c) {
    const double wc = w ? static_cast<double>(w[c]) : 1.0;
    s.gw += wc * sum_g[c];
    s.gw_xhat += wc * sum_g_xhat[c];
  }
  return s;
}

// dx of one element: LayerNorm's formula over the group's count elements.
EMBER_HOST_DEVICE inline double input_grad(double gw, double xhat, const GroupGradSums& s,
                                           double rstd, int64_t count) {
  return layer_norm_math::input_grad(gw, xhat, s.gw, s.gw_xhat, rstd, count);
}

// dweight[c] = sum_n sum_g_xhat[n, c] and dbias[c] = sum_n sum_g[n, c] (either may be null),
// summed over the samples in order (deterministic).
template <class T>
EMBER_HOST_DEVICE inline void param_grads_channel(const double* sum_g,
                                                  const double* sum_g_xhat, T* dw, T* db,
                                                  int64_t N, int64_t C, int64_t c) {
  double sw = 0, sb = 0;
  for (int64_t n = 0; n < N; ++n) {
    sw += sum_g_xhat[n * C + c];
    sb += sum_g[n * C + c];
  }
  if (dw) dw[c] = static_cast<T>(sw);
  if (db) db[c] = static_cast<T>(sb);
}

}  // namespace ember::group_norm_math
