// Activation kernels, compiled once per instruction set: plain loops over contiguous buffers
// that the compiler vectorizes, calling core/activation_scalar.h with the vectorizable math of
// cpu/elementwise_math.h.
#include "core/activation_scalar.h"
#include "cpu/activation.h"
#include "cpu/elementwise_math.h"
#include "ember/parallel.h"

namespace ember::cpu {
namespace EMBER_CPU_NS {
namespace {

using ops::ActivationOp;

// Transcendental activations cost far more than a memory access: a thread pays at fewer elements.
constexpr int64_t kGrain = kGrainSize / 8;

struct CpuMath {
  template <class T> static T exp(T x) { return math::exp(x); }
  template <class T> static T expm1(T x) { return math::expm1(x); }
  template <class T> static T log1p(T x) { return math::log1p(x); }
  template <class T> static T tanh(T x) { return math::tanh(x); }
  template <class T> static T erf(T x) { return math::erf(x); }
};

void activation_forward_kernel(ActivationOp op, const ops::ActivationParams& params, DType dtype,
                               const void* x_, void* y_, int64_t n) {
  EMBER_DISPATCH_FLOATING(dtype, ops::op_name(op), [&] {
    using T = scalar_t;
    const act::Params<T> p = act::params_of<T>(params);
    const T* x = static_cast<const T*>(x_);
    T* y = static_cast<T*>(y_);
    act::visit(op, [&](auto op_constant) {
      constexpr ActivationOp Op = decltype(op_constant)::value;
      parallel_for(0, n, kGrain, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) y[i] = act::forward<Op, CpuMath>(x[i], p);
      });
    });
  });
}

void activation_backward_kernel(ActivationOp op, const ops::ActivationParams& params, DType dtype,
                                const void* g_, const void* v_, void* gi_, int64_t n) {
  EMBER_DISPATCH_FLOATING(dtype, ops::op_name(op), [&] {
    using T = scalar_t;
    const act::Params<T> p = act::params_of<T>(params);
    const T* g = static_cast<const T*>(g_);
    const T* v = static_cast<const T*>(v_);
    T* gi = static_cast<T*>(gi_);
    act::visit(op, [&](auto op_constant) {
      constexpr ActivationOp Op = decltype(op_constant)::value;
      parallel_for(0, n, kGrain, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) gi[i] = act::backward<Op, CpuMath>(g[i], v[i], p);
      });
    });
  });
}

void prelu_forward_kernel(DType dtype, const void* x_, const void* w_, void* y_, int64_t outer,
                          int64_t channels, int64_t inner) {
  EMBER_DISPATCH_FLOATING(dtype, "prelu", [&] {
    const auto* x = static_cast<const scalar_t*>(x_);
    const auto* w = static_cast<const scalar_t*>(w_);
    auto* y = static_cast<scalar_t*>(y_);
    const int64_t rows = outer * channels;
    parallel_for(0, rows, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(inner, 1)),
                 [&](int64_t begin, int64_t end) {
                   for (int64_t r = begin; r < end; ++r) {
                     const scalar_t wc = w[r % channels];
                     const scalar_t* xr = x + r * inner;
                     scalar_t* yr = y + r * inner;
                     for (int64_t i = 0; i < inner; ++i) yr[i] = act::prelu(xr[i], wc);
                   }
                 });
  });
}

// Parallel over channels; each channel's weight gradient is summed in double precision over its
// (outer, inner) elements by the one thread that owns it, so the result is deterministic.
void prelu_backward_kernel(DType dtype, const void* g_, const void* x_, const void* w_, void* gi_,
                           void* gw_, int64_t outer, int64_t channels, int64_t inner) {
  EMBER_DISPATCH_FLOATING(dtype, "prelu_backward", [&] {
    using T = scalar_t;
    const T* g = static_cast<const T*>(g_);
    const T* x = static_cast<const T*>(x_);
    const T* w = static_cast<const T*>(w_);
    T* gi = static_cast<T*>(gi_);
    T* gw = static_cast<T*>(gw_);
    parallel_for(0, channels, 1, [&](int64_t begin, int64_t end) {
      for (int64_t c = begin; c < end; ++c) {
        const T wc = w[c];
        double acc = 0;
        for (int64_t o = 0; o < outer; ++o) {
          const int64_t base = (o * channels + c) * inner;
          T partial = 0;
          for (int64_t i = 0; i < inner; ++i) {
            const T xi = x[base + i], gv = g[base + i];
            const bool positive = xi > T(0);
            gi[base + i] = positive ? gv : wc * gv;
            partial += positive ? T(0) : xi * gv;
          }
          acc += partial;
        }
        gw[c] = static_cast<T>(acc);
      }
    });
  });
}

}  // namespace
}  // namespace EMBER_CPU_NS

EMBER_REGISTER_DISPATCH(activation_forward_stub, &EMBER_CPU_NS::activation_forward_kernel);
EMBER_REGISTER_DISPATCH(activation_backward_stub, &EMBER_CPU_NS::activation_backward_kernel);
EMBER_REGISTER_DISPATCH(prelu_forward_stub, &EMBER_CPU_NS::prelu_forward_kernel);
EMBER_REGISTER_DISPATCH(prelu_backward_stub, &EMBER_CPU_NS::prelu_backward_kernel);

}  // namespace ember::cpu
