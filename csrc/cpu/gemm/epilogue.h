// The GEMM epilogue on one element: act(alpha * acc + beta * c + bias).
//
// Included both by the once-compiled drivers (naive, blocked, the matrix-vector write-back) and
// by the per-ISA micro-kernels; the per-ISA copies live in EMBER_CPU_NS (dispatch.h's rule), so
// an inline function compiled with AVX-512 never replaces the baseline one at link time.
#pragma once

#include <cmath>
#include <cstdint>

#include "cpu/gemm/gemm.h"

#ifdef EMBER_CPU_CAPABILITY
#include "cpu/dispatch.h"
#define EMBER_GEMM_NS EMBER_CPU_NS
#else
#define EMBER_GEMM_NS baseline
#endif

namespace ember::cpu::EMBER_GEMM_NS {

template <class T>
inline T activate(T x, Activation act) {
  switch (act) {
    case Activation::ReLU: return x < T(0) ? T(0) : x;  // NaN stays NaN, as in PyTorch
    case Activation::GELU: return T(0.5) * x * (T(1) + std::erf(x * T(M_SQRT1_2)));
    case Activation::Sigmoid: return T(1) / (T(1) + std::exp(-x));
    case Activation::Tanh: return std::tanh(x);
    case Activation::None: break;
  }
  return x;
}

// bias value for element (i, j) of C, 0 without a bias.
template <class T>
inline T bias_at(const Epilogue<T>& ep, int64_t i, int64_t j) {
  switch (ep.bias_kind) {
    case BiasKind::Row: return ep.bias[j];
    case BiasKind::Column: return ep.bias[i];
    case BiasKind::None: break;
  }
  return T(0);
}

// The final value of C[i, j] given its accumulated dot product; c is read only when beta != 0.
template <class T>
inline T finish(T acc, const T* c, T alpha, T beta, const Epilogue<T>& ep, int64_t i, int64_t j) {
  T v = alpha * acc;
  if (beta != T(0)) v += beta * *c;
  return activate(v + bias_at(ep, i, j), ep.activation);
}

}  // namespace ember::cpu::EMBER_GEMM_NS
