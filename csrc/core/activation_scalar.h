// The per-element math of the activation functions, forward and backward, one definition for the
// CPU kernels (cpu/activation.simd.cc) and the CUDA kernels (cuda/activation.cu). Each backend
// passes its own exp/expm1/log1p/tanh/erf as the policy M (static member templates): the CPU's
// vectorizable ones (cpu/elementwise_math.h), the device's libm on CUDA. The formulas follow
// PyTorch's kernels, including which side of a kink gets which derivative.
//
// Everything lands in the namespace of the including file, as for core/elementwise_scalar.h.
#pragma once

#include <type_traits>

#include "core/elementwise_scalar.h"
#include "ember/host_device.h"
#include "ember/ops/activation.h"

namespace ember::EMBER_SCALAR_HOME::act {

using ops::ActivationOp;

// ops::ActivationParams in the compute precision.
template <class T>
struct Params {
  T a, b, c;
};
template <class T>
inline Params<T> params_of(const ops::ActivationParams& p) {
  return {static_cast<T>(p.a), static_cast<T>(p.b), static_cast<T>(p.c)};
}

// Runs f(std::integral_constant<ActivationOp, op>{}) for the run-time op, so that each kernel is
// compiled per op.
template <class F>
inline void visit(ActivationOp op, const F& f) {
#define EMBER_ACT_CASE(name) \
  case ActivationOp::name: return f(std::integral_constant<ActivationOp, ActivationOp::name>{});
  switch (op) {
    EMBER_ACT_CASE(Threshold) EMBER_ACT_CASE(Hardtanh) EMBER_ACT_CASE(LeakyRelu)
    EMBER_ACT_CASE(Elu) EMBER_ACT_CASE(Gelu) EMBER_ACT_CASE(GeluTanh) EMBER_ACT_CASE(Silu)
    EMBER_ACT_CASE(Mish) EMBER_ACT_CASE(Softplus) EMBER_ACT_CASE(Softsign)
    EMBER_ACT_CASE(Hardsigmoid) EMBER_ACT_CASE(Hardswish) EMBER_ACT_CASE(Sigmoid)
    EMBER_ACT_CASE(Tanh) EMBER_ACT_CASE(LogSigmoid)
  }
#undef EMBER_ACT_CASE
}

template <class T> EMBER_HOST_DEVICE inline T abs_of(T x) { return x < T(0) ? -x : x; }
// NaN-propagating, as PyTorch's kernels are.
template <class T> EMBER_HOST_DEVICE inline T max_of(T a, T b) { return scalar::maximum(a, b); }
template <class T> EMBER_HOST_DEVICE inline T min_of(T a, T b) { return scalar::minimum(a, b); }

template <class M>
struct ExpOf {
  template <class T>
  EMBER_HOST_DEVICE T operator()(T v) const { return M::exp(v); }
};
template <class M, class T>
EMBER_HOST_DEVICE inline T sigmoid_of(T x) {
  return scalar::sigmoid(x, ExpOf<M>());
}
// log(1 + exp(x)) without overflow.
template <class M, class T>
EMBER_HOST_DEVICE inline T softplus_of(T x) {
  return max_of(x, T(0)) + M::log1p(M::exp(-abs_of(x)));
}

constexpr double kSqrt1_2 = 0.70710678118654752440;      // 1/sqrt(2)
constexpr double kInvSqrt2Pi = 0.39894228040143267794;   // 1/sqrt(2 pi)
constexpr double kSqrt2_Pi = 0.79788456080286535588;     // sqrt(2/pi)
constexpr double kGeluKappa = 0.044715;

// y = f(x).
template <ActivationOp Op, class M, class T>
EMBER_HOST_DEVICE inline T forward(T x, const Params<T>& p) {
  if constexpr (Op == ActivationOp::Threshold) {
    return x <= p.a ? p.b : x;  // NaN passes
  } else if constexpr (Op == ActivationOp::Hardtanh) {
    return x < p.a ? p.a : (x > p.b ? p.b : x);
  } else if constexpr (Op == ActivationOp::LeakyRelu) {
    return x > T(0) ? x : x * p.a;
  } else if constexpr (Op == ActivationOp::Elu) {
    return x > T(0) ? x * p.b : M::expm1(x * p.c) * (p.a * p.b);
  } else if constexpr (Op == ActivationOp::Gelu) {
    return T(0.5) * x * (T(1) + M::erf(x * T(kSqrt1_2)));
  } else if constexpr (Op == ActivationOp::GeluTanh) {
    // 0.5 (1 + tanh(u)) = sigmoid(2u): no cancellation where tanh(u) is near -1.
    const T inner = T(kSqrt2_Pi) * (x + T(kGeluKappa) * x * x * x);
    return x * sigmoid_of<M>(T(2) * inner);
  } else if constexpr (Op == ActivationOp::Silu) {
    return x * sigmoid_of<M>(x);
  } else if constexpr (Op == ActivationOp::Mish) {
    return x * M::tanh(softplus_of<M>(x));
  } else if constexpr (Op == ActivationOp::Softplus) {
    const T z = x * p.a;
    return z > p.b ? x : softplus_of<M>(z) / p.a;
  } else if constexpr (Op == ActivationOp::Softsign) {
    return x / (T(1) + abs_of(x));
  } else if constexpr (Op == ActivationOp::Hardsigmoid) {
    return min_of(max_of(x + T(3), T(0)), T(6)) / T(6);
  } else if constexpr (Op == ActivationOp::Hardswish) {
    return x * min_of(max_of(x + T(3), T(0)), T(6)) / T(6);
  } else if constexpr (Op == ActivationOp::Sigmoid) {
    return sigmoid_of<M>(x);
  } else if constexpr (Op == ActivationOp::Tanh) {
    return M::tanh(x);
  } else {
    static_assert(Op == ActivationOp::LogSigmoid);
    return min_of(x, T(0)) - M::log1p(M::exp(-abs_of(x)));
  }
}

// grad_input = g * f'(x); v is x, or y = f(x) for Sigmoid and Tanh (ops::backward_uses_result).
template <ActivationOp Op, class M, class T>
EMBER_HOST_DEVICE inline T backward(T g, T v, const Params<T>& p) {
  const T x = v;
  if constexpr (Op == ActivationOp::Threshold) {
    return x <= p.a ? T(0) : g;
  } else if constexpr (Op == ActivationOp::Hardtanh) {
    return (x <= p.a || x >= p.b) ? T(0) : g;
  } else if constexpr (Op == ActivationOp::LeakyRelu) {
    return x > T(0) ? g : g * p.a;
  } else if constexpr (Op == ActivationOp::Elu) {
    return x > T(0) ? g * p.b : g * (p.c * p.a * p.b) * M::exp(x * p.c);
  } else if constexpr (Op == ActivationOp::Gelu) {
    const T cdf = T(0.5) * (T(1) + M::erf(x * T(kSqrt1_2)));
    const T pdf = M::exp(T(-0.5) * x * x) * T(kInvSqrt2Pi);
    return g * (cdf + x * pdf);
  } else if constexpr (Op == ActivationOp::GeluTanh) {
    // With s+ = sigmoid(2u), s- = sigmoid(-2u): 0.5 (1 + tanh u) = s+, 1 - tanh^2 u = 4 s+ s-.
    const T x_sq = x * x;
    const T inner = T(kSqrt2_Pi) * (x + T(kGeluKappa) * x_sq * x);
    const T s_pos = sigmoid_of<M>(T(2) * inner), s_neg = sigmoid_of<M>(T(-2) * inner);
    const T slope = T(kSqrt2_Pi) * (T(1) + T(3 * kGeluKappa) * x_sq);
    return g * (s_pos + T(2) * x * s_pos * s_neg * slope);
  } else if constexpr (Op == ActivationOp::Silu) {
    const T s = sigmoid_of<M>(x);
    return g * s * (T(1) + x * (T(1) - s));
  } else if constexpr (Op == ActivationOp::Mish) {
    const T t = M::tanh(softplus_of<M>(x));
    return g * (t + x * sigmoid_of<M>(x) * (T(1) - t * t));
  } else if constexpr (Op == ActivationOp::Softplus) {
    const T z = x * p.a;
    return z > p.b ? g : g * sigmoid_of<M>(z);
  } else if constexpr (Op == ActivationOp::Softsign) {
    const T d = T(1) + abs_of(x);
    return g / (d * d);
  } else if constexpr (Op == ActivationOp::Hardsigmoid) {
    return (x > T(-3) && x < T(3)) ? g / T(6) : T(0);
  } else if constexpr (Op == ActivationOp::Hardswish) {
    return x <= T(-3) ? T(0) : (x < T(3) ? g * (x / T(3) + T(0.5)) : g);
  } else if constexpr (Op == ActivationOp::Sigmoid) {
    return g * (T(1) - v) * v;
  } else if constexpr (Op == ActivationOp::Tanh) {
    return g * (T(1) - v * v);
  } else {
    static_assert(Op == ActivationOp::LogSigmoid);
    const T z = M::exp(-abs_of(x));
    return x < T(0) ? g * (T(1) - z / (T(1) + z)) : g * (z / (T(1) + z));
  }
}

// PReLU, with the channel's weight w.
template <class T> EMBER_HOST_DEVICE inline T prelu(T x, T w) { return x > T(0) ? x : w * x; }

}  // namespace ember::EMBER_SCALAR_HOME::act
