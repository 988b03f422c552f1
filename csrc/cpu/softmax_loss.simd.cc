// softmax / log_softmax and the fused cross-entropy, compiled once per instruction set. Each row
// (stride `inner` between its elements) is folded with kLanes independent accumulators, so the
// loops over a contiguous row (inner == 1, the common case) vectorize without reassociating
// anything the compiler may not; rows run in parallel.
#include <algorithm>
#include <cmath>

#include "core/softmax_loss_scalar.h"
#include "cpu/elementwise_math.h"
#include "cpu/softmax_loss.h"
#include "ember/parallel.h"

namespace ember::cpu {
namespace EMBER_CPU_NS {
namespace {

constexpr int kLanes = 16;

// sum over i < n of f(i), in kLanes partial sums.
template <class T, class F>
T fold_sum(int64_t n, const F& f) {
  T acc[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int l = 0; l < kLanes; ++l) acc[l] += f(i + l);
  T total = 0;
  for (; i < n; ++i) total += f(i);
  for (int l = 0; l < kLanes; ++l) total += acc[l];
  return total;
}

// max over i < n of x[i * stride]; -inf for n == 0. A NaN may or may not win; the caller's
// exp(x - max) turns it into a NaN sum either way, as in PyTorch.
template <class T>
T row_max(const T* x, int64_t n, int64_t stride) {
  T acc[kLanes];
  for (int l = 0; l < kLanes; ++l) acc[l] = -std::numeric_limits<T>::infinity();
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int l = 0; l < kLanes; ++l) {
      const T v = x[(i + l) * stride];
      acc[l] = v > acc[l] ? v : acc[l];
    }
  T best = -std::numeric_limits<T>::infinity();
  for (; i < n; ++i) best = x[i * stride] > best ? x[i * stride] : best;
  for (int l = 0; l < kLanes; ++l) best = acc[l] > best ? acc[l] : best;
  return best;
}

// Calls f(row_pointer_offset, stride) for each of the outer * inner rows, in parallel.
template <class F>
void for_each_row(int64_t outer, int64_t n, int64_t inner, const F& f) {
  const int64_t rows = outer * inner;
  const int64_t grain = std::max<int64_t>(1, kGrainSize / 8 / std::max<int64_t>(n, 1));
  parallel_for(0, rows, grain, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) f(r, (r / inner) * n * inner + r % inner);
  });
}

template <class T>
void softmax_forward_rows(bool log, const T* x, T* y, int64_t outer, int64_t n, int64_t inner) {
  const int64_t s = inner;
  for_each_row(outer, n, inner, [&](int64_t, int64_t base) {
    const T* xr = x + base;
    T* yr = y + base;
    const T m = row_max(xr, n, s);
    if (log) {
      const T log_sum = std::log(fold_sum<T>(n, [&](int64_t i) { return math::exp(xr[i * s] - m); }));
      for (int64_t i = 0; i < n; ++i) yr[i * s] = (xr[i * s] - m) - log_sum;
    } else {
      const T sum = fold_sum<T>(n, [&](int64_t i) {
        const T e = math::exp(xr[i * s] - m);
        yr[i * s] = e;
        return e;
      });
      const T inv = T(1) / sum;
      for (int64_t i = 0; i < n; ++i) yr[i * s] *= inv;
    }
  });
}

template <class T>
void softmax_backward_rows(bool log, const T* g, const T* y, T* gi, int64_t outer, int64_t n,
                           int64_t inner) {
  const int64_t s = inner;
  for_each_row(outer, n, inner, [&](int64_t, int64_t base) {
    const T* gr = g + base;
    const T* yr = y + base;
    T* out = gi + base;
    if (log) {  // g - exp(y) * sum(g)
      const T sum = fold_sum<T>(n, [&](int64_t i) { return gr[i * s]; });
      for (int64_t i = 0; i < n; ++i) out[i * s] = gr[i * s] - math::exp(yr[i * s]) * sum;
    } else {  // y * (g - sum(g * y))
      const T dot = fold_sum<T>(n, [&](int64_t i) { return gr[i * s] * yr[i * s]; });
      for (int64_t i = 0; i < n; ++i) out[i * s] = yr[i * s] * (gr[i * s] - dot);
    }
  });
}

void softmax_forward_kernel(DType dtype, bool log, const void* x, void* y, int64_t outer,
                            int64_t n, int64_t inner) {
  EMBER_DISPATCH_FLOATING(dtype, log ? "log_softmax" : "softmax", [&] {
    softmax_forward_rows(log, static_cast<const scalar_t*>(x), static_cast<scalar_t*>(y), outer,
                         n, inner);
  });
}

void softmax_backward_kernel(DType dtype, bool log, const void* g, const void* y, void* gi,
                             int64_t outer, int64_t n, int64_t inner) {
  EMBER_DISPATCH_FLOATING(dtype, log ? "log_softmax_backward" : "softmax_backward", [&] {
    softmax_backward_rows(log, static_cast<const scalar_t*>(g), static_cast<const scalar_t*>(y),
                          static_cast<scalar_t*>(gi), outer, n, inner);
  });
}

template <class T>
void cross_entropy_forward_rows(const CrossEntropyArgs& a, T* loss, T* row_weight, T* max_out,
                                T* log_sum_out) {
  const int64_t C = a.classes, s = a.inner;
  const T* x = static_cast<const T*>(a.input);
  const T* q = static_cast<const T*>(a.probs);
  const T* w = static_cast<const T*>(a.weight);
  const T eps = static_cast<T>(a.label_smoothing), inv_c = T(1) / static_cast<T>(C);
  for_each_row(a.outer, C, a.inner, [&](int64_t r, int64_t base) {
    const T* xr = x + base;
    const T m = row_max(xr, C, s);
    const T log_sum =
        std::log(fold_sum<T>(C, [&](int64_t c) { return math::exp(xr[c * s] - m); }));
    max_out[r] = m;
    log_sum_out[r] = log_sum;
    auto nll = [&](int64_t c) { return xent::neg_log_prob(xr[c * s], m, log_sum); };
    auto w_of = [&](int64_t c) { return w ? w[c] : T(1); };
    if (q) {
      const T* qr = q + base;
      loss[r] = fold_sum<T>(C, [&](int64_t c) {
        return w_of(c) * xent::smoothed(qr[c * s], eps, inv_c) * nll(c);
      });
      row_weight[r] = T(1);
      return;
    }
    const int64_t t = a.target[r];
    if (t == a.ignore_index) {
      loss[r] = T(0);
      row_weight[r] = T(0);
      return;
    }
    const T wt = w_of(t);
    T value = (T(1) - eps) * wt * nll(t);
    if (eps > T(0)) value += eps * inv_c * fold_sum<T>(C, [&](int64_t c) { return w_of(c) * nll(c); });
    loss[r] = value;
    row_weight[r] = wt;
  });
}

template <class T>
void cross_entropy_backward_rows(const CrossEntropyArgs& a, const T* row_max, const T* log_sum,
                                 const T* g,
                                 int64_t g_stride, const T* total_weight, T* gi) {
  const int64_t C = a.classes, s = a.inner;
  const T* x = static_cast<const T*>(a.input);
  const T* q = static_cast<const T*>(a.probs);
  const T* w = static_cast<const T*>(a.weight);
  const T eps = static_cast<T>(a.label_smoothing), inv_c = T(1) / static_cast<T>(C);
  const T divisor = total_weight ? *total_weight : T(1);
  for_each_row(a.outer, C, a.inner, [&](int64_t r, int64_t base) {
    const T* xr = x + base;
    T* out = gi + base;
    const T factor = g[r * g_stride] / divisor;
    auto w_of = [&](int64_t c) { return w ? w[c] : T(1); };
    if (q) {
      const T* qr = q + base;
      const T sum_wq = fold_sum<T>(C, [&](int64_t c) {
        return w_of(c) * xent::smoothed(qr[c * s], eps, inv_c);
      });
      for (int64_t c = 0; c < C; ++c) {
        const T p = math::exp((xr[c * s] - row_max[r]) - log_sum[r]);
        out[c * s] = factor * xent::prob_grad(p, sum_wq, w_of(c) * xent::smoothed(qr[c * s], eps, inv_c));
      }
      return;
    }
    const int64_t t = a.target[r];
    if (t == a.ignore_index) {
      for (int64_t c = 0; c < C; ++c) out[c * s] = T(0);
      return;
    }
    const T wt = w_of(t);
    const T m = row_max[r], ls = log_sum[r];
    if (eps == T(0)) {
      // The common case, as a loop without branches (it vectorizes): every class as a
      // non-target with eps = 0, then the target's entry.
      for (int64_t c = 0; c < C; ++c)
        out[c * s] = factor * xent::index_grad(math::exp((xr[c * s] - m) - ls), false, wt, T(1),
                                               T(0), inv_c, T(0));
      out[t * s] = factor * xent::index_grad(math::exp((xr[t * s] - m) - ls), true, wt, T(1),
                                             T(0), inv_c, T(0));
      return;
    }
    const T weight_sum = fold_sum<T>(C, w_of);
    for (int64_t c = 0; c < C; ++c) {
      const T p = math::exp((xr[c * s] - m) - ls);
      out[c * s] = factor * xent::index_grad(p, c == t, wt, w_of(c), eps, inv_c, weight_sum);
    }
  });
}

void cross_entropy_forward_kernel(const CrossEntropyArgs& args, void* loss, void* row_weight,
                                  void* row_max, void* log_sum) {
  EMBER_DISPATCH_FLOATING(args.dtype, "cross_entropy", [&] {
    cross_entropy_forward_rows(args, static_cast<scalar_t*>(loss),
                               static_cast<scalar_t*>(row_weight), static_cast<scalar_t*>(row_max),
                               static_cast<scalar_t*>(log_sum));
  });
}

void cross_entropy_backward_kernel(const CrossEntropyArgs& args, const void* row_max,
                                   const void* log_sum,
                                   const void* grad_output, int64_t grad_stride,
                                   const void* total_weight, void* grad_input) {
  EMBER_DISPATCH_FLOATING(args.dtype, "cross_entropy_backward", [&] {
    cross_entropy_backward_rows(args, static_cast<const scalar_t*>(row_max),
                                static_cast<const scalar_t*>(log_sum),
                                static_cast<const scalar_t*>(grad_output), grad_stride,
                                static_cast<const scalar_t*>(total_weight),
                                static_cast<scalar_t*>(grad_input));
  });
}

}  // namespace
}  // namespace EMBER_CPU_NS

EMBER_REGISTER_DISPATCH(softmax_forward_stub, &EMBER_CPU_NS::softmax_forward_kernel);
EMBER_REGISTER_DISPATCH(softmax_backward_stub, &EMBER_CPU_NS::softmax_backward_kernel);
EMBER_REGISTER_DISPATCH(cross_entropy_forward_stub, &EMBER_CPU_NS::cross_entropy_forward_kernel);
EMBER_REGISTER_DISPATCH(cross_entropy_backward_stub, &EMBER_CPU_NS::cross_entropy_backward_kernel);

}  // namespace ember::cpu
