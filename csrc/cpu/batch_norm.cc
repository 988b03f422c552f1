// BatchNorm forward and backward, one channel per task (its N * L elements strided by C * L),
// so the per-channel sums and parameter gradients need no combining across threads. The math
// is LayerNorm's with a channel in place of a row (core/layer_norm_math.h).
//   x, y, grad, dx: (N, C, L); weight, bias, dweight, dbias: (C) or null; mean, var: (C)
#include "cpu/batch_norm.h"

#include <algorithm>
#include <cmath>

#include "core/layer_norm_math.h"
#include "ember/parallel.h"

namespace ember::cpu {
namespace lnm = layer_norm_math;
namespace {

// Calls f(offset) for the offsets of channel c's elements, in order.
template <class F>
void for_channel(int64_t N, int64_t C, int64_t L, int64_t c, const F& f) {
  for (int64_t n = 0; n < N; ++n)
    for (int64_t l = 0, base = (n * C + c) * L; l < L; ++l) f(base + l);
}

int64_t channel_grain(int64_t N, int64_t L) {
  return std::max<int64_t>(1, kGrainSize / std::max<int64_t>(N * L, 1));
}

template <class T>
void forward(const T* x, const T* w, const T* b, T* y, double* mean, double* var, bool training,
             int64_t N, int64_t C, int64_t L, double eps) {
  const int64_t count = N * L;
  parallel_for(0, C, channel_grain(N, L), [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; ++c) {
      if (training) {
        double s = 0, sq = 0;
        for_channel(N, C, L, c, [&](int64_t i) { s += static_cast<double>(x[i]); });
        const double m = s / static_cast<double>(count);
        for_channel(N, C, L, c, [&](int64_t i) {
          const double d = static_cast<double>(x[i]) - m;
          sq += d * d;
        });
        mean[c] = m;
        var[c] = sq / static_cast<double>(count);
      }
      const double m = mean[c], rs = 1.0 / std::sqrt(var[c] + eps);
      for_channel(N, C, L, c, [&](int64_t i) {
        y[i] = lnm::affine(lnm::normalized(static_cast<double>(x[i]), m, rs), w, b, c);
      });
    }
  });
}

template <class T>
void backward(const T* g, const T* x, const double* mean, const double* var, const T* w, T* dx,
              T* dw, T* db, bool training, int64_t N, int64_t C, int64_t L, double eps) {
  const int64_t count = N * L;
  parallel_for(0, C, channel_grain(N, L), [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; ++c) {
      const double m = mean[c], rs = 1.0 / std::sqrt(var[c] + eps);
      const double wc = w ? static_cast<double>(w[c]) : 1.0;
      double sum_g = 0, sum_g_xhat = 0;
      for_channel(N, C, L, c, [&](int64_t i) {
        const double gv = static_cast<double>(g[i]);
        sum_g += gv;
        sum_g_xhat += gv * lnm::normalized(static_cast<double>(x[i]), m, rs);
      });
      if (dw) {
        dw[c] = static_cast<T>(sum_g_xhat);
        if (db) db[c] = static_cast<T>(sum_g);
      }
      if (!dx) continue;
      for_channel(N, C, L, c, [&](int64_t i) {
        const double gw = static_cast<double>(g[i]) * wc;
        const double xhat = lnm::normalized(static_cast<double>(x[i]), m, rs);
        dx[i] = static_cast<T>(training ? lnm::input_grad(gw, xhat, sum_g * wc,
                                                          sum_g_xhat * wc, rs, count)
                                        : gw * rs);
      });
    }
  });
}

}  // namespace

void batch_norm_kernel(const void* x, const void* weight, const void* bias, void* y,
                       double* mean, double* var, bool training, DType dtype, int64_t N,
                       int64_t C, int64_t L, double eps) {
  EMBER_DISPATCH_FLOATING(dtype, "batch_norm", [&] {
    using T = scalar_t;
    forward(static_cast<const T*>(x), static_cast<const T*>(weight), static_cast<const T*>(bias),
            static_cast<T*>(y), mean, var, training, N, C, L, eps);
  });
}

void batch_norm_backward_kernel(const void* grad, const void* x, const double* mean,
                                const double* var, const void* weight, void* dx, void* dweight,
                                void* dbias, bool training, DType dtype, int64_t N, int64_t C,
                                int64_t L, double eps) {
  EMBER_DISPATCH_FLOATING(dtype, "batch_norm_backward", [&] {
    using T = scalar_t;
    backward(static_cast<const T*>(grad), static_cast<const T*>(x), mean, var,
             static_cast<const T*>(weight), static_cast<T*>(dx), static_cast<T*>(dweight),
             static_cast<T*>(dbias), training, N, C, L, eps);
  });
}

}  // namespace ember::cpu
