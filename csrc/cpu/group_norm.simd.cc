// GroupNorm forward and backward on the CPU, compiled once per instruction set; the math is in
// core/group_norm_math.h. Each (n, g) group is one contiguous run of D * L elements, so groups
// go to threads with no combining; the sums run over kLanes independent double accumulators,
// which the compiler vectorizes without reassociating anything (deterministic).
//   x, y, grad, dx: (N, C, L) with C = G * D; weight, bias, dweight, dbias: (C) or null;
//   mean, rstd: (N, G); sums: (2, N, C) = per-(n, c) sum of grad, then of grad * xhat
#include <algorithm>
#include <cmath>

#include "core/group_norm_math.h"
#include "cpu/group_norm.h"
#include "ember/parallel.h"

namespace ember::cpu {
namespace EMBER_CPU_NS {
namespace {
namespace gnm = group_norm_math;

constexpr int kLanes = 8;

// sum over i < n of f(i), accumulated lane by lane in a fixed order, then the lanes in order.
template <class F>
double lane_sum(int64_t n, const F& f) {
  double acc[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int k = 0; k < kLanes; ++k) acc[k] += f(i + k);
  for (; i < n; ++i) acc[i % kLanes] += f(i);
  double s = 0;
  for (int k = 0; k < kLanes; ++k) s += acc[k];
  return s;
}

int64_t grain_for(int64_t work_per_task) {
  return std::max<int64_t>(1, kGrainSize / std::max<int64_t>(work_per_task, 1));
}

template <class T>
void forward(const T* x, const T* w, const T* b, T* y, double* mean, double* rstd, int64_t N,
             int64_t C, int64_t L, int64_t G, double eps) {
  const int64_t D = C / G, count = D * L;
  parallel_for(0, N * G, grain_for(count), [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) {  // t = n * G + g
      const T* xg = x + t * count;
      const double m =
          lane_sum(count, [&](int64_t i) { return static_cast<double>(xg[i]); }) /
          static_cast<double>(count);
      const double sq = lane_sum(count, [&](int64_t i) {
        const double d = static_cast<double>(xg[i]) - m;
        return d * d;
      });
      const double rs = layer_norm_math::rstd_of(sq, count, eps);
      mean[t] = m;
      rstd[t] = rs;
      const int64_t c0 = t % G * D;
      for (int64_t d = 0; d < D; ++d) {
        const gnm::ChannelAffine a = gnm::channel_affine(m, rs, w, b, c0 + d);
        const T* xc = xg + d * L;
        T* yc = y + t * count + d * L;
        for (int64_t l = 0; l < L; ++l)
          yc[l] = static_cast<T>(static_cast<double>(xc[l]) * a.scale + a.shift);
      }
    }
  });
}

template <class T>
void backward(const T* g, const T* x, const double* mean, const double* rstd, const T* w, T* dx,
              T* dw, T* db, double* sums, int64_t N, int64_t C, int64_t L, int64_t G) {
  const int64_t D = C / G, count = D * L;
  double *sum_g = sums, *sum_g_xhat = sums + N * C;
  // Pass 1: per (n, c), the sums of grad and grad * xhat over the channel's L elements.
  parallel_for(0, N * C, grain_for(L), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {  // r = n * C + c
      const int64_t t = r / C * G + r % C / D;
      const T *gc = g + r * L, *xc = x + r * L;
      const double m = mean[t];
      sum_g[r] = lane_sum(L, [&](int64_t l) { return static_cast<double>(gc[l]); });
      sum_g_xhat[r] = rstd[t] * lane_sum(L, [&](int64_t l) {
                        return static_cast<double>(gc[l]) * (static_cast<double>(xc[l]) - m);
                      });
    }
  });
  // Pass 2: dx per group.
  if (dx) {
    parallel_for(0, N * G, grain_for(count), [&](int64_t t0, int64_t t1) {
      for (int64_t t = t0; t < t1; ++t) {
        const int64_t n = t / G, c0 = t % G * D;
        const double m = mean[t], rs = rstd[t];
        const gnm::GroupGradSums s =
            gnm::group_grad_sums(sum_g + n * C, sum_g_xhat + n * C, w, c0, D);
        for (int64_t d = 0; d < D; ++d) {
          const double wc = w ? static_cast<double>(w[c0 + d]) : 1.0;
          const int64_t base = t * count + d * L;
          for (int64_t l = 0; l < L; ++l) {
            const double xhat = layer_norm_math::normalized(static_cast<double>(x[base + l]), m,
                                                            rs);
            dx[base + l] = static_cast<T>(
                gnm::input_grad(static_cast<double>(g[base + l]) * wc, xhat, s, rs, count));
          }
        }
      }
    });
  }
  // Pass 3: the parameter gradients per channel, summed over the samples in order.
  if (dw || db) {
    parallel_for(0, C, grain_for(N), [&](int64_t c0, int64_t c1) {
      for (int64_t c = c0; c < c1; ++c)
        gnm::param_grads_channel(sum_g, sum_g_xhat, dw, db, N, C, c);
    });
  }
}

void group_norm(const void* x, const void* weight, const void* bias, void* y, double* mean,
                double* rstd, DType dtype, int64_t N, int64_t C, int64_t L, int64_t G,
                double eps) {
  EMBER_DISPATCH_FLOATING(dtype, "group_norm", [&] {
    using T = scalar_t;
    forward(static_cast<const T*>(x), static_cast<const T*>(weight), static_cast<const T*>(bias),
            static_cast<T*>(y), mean, rstd, N, C, L, G, eps);
  });
}

void group_norm_backward(const void* grad, const void* x, const double* mean, const double* rstd,
                         const void* weight, void* dx, void* dweight, void* dbias, double* sums,
                         DType dtype, int64_t N, int64_t C, int64_t L, int64_t G) {
  EMBER_DISPATCH_FLOATING(dtype, "group_norm_backward", [&] {
    using T = scalar_t;
    backward(static_cast<const T*>(grad), static_cast<const T*>(x), mean, rstd,
             static_cast<const T*>(weight), static_cast<T*>(dx), static_cast<T*>(dweight),
             static_cast<T*>(dbias), sums, N, C, L, G);
  });
}

}  // namespace
}  // namespace EMBER_CPU_NS

EMBER_REGISTER_DISPATCH(group_norm_stub, &EMBER_CPU_NS::group_norm);
EMBER_REGISTER_DISPATCH(group_norm_backward_stub, &EMBER_CPU_NS::group_norm_backward);

}  // namespace ember::cpu
