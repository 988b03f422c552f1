// The GEMM epilogue on one element, act(alpha * acc + beta * c + bias): one definition for the
// CPU drivers (naive, blocked, the matrix-vector write-back), the per-ISA micro-kernels and the
// CUDA kernels (cuda/gemm_kernels.cuh), so every backend and variant finishes C the same way.
//
// Everything lands in a namespace of the including file, as in core/elementwise_scalar.h: the
// per-ISA namespace of a *.simd.cc (an inline function compiled with AVX-512 must never replace
// the baseline one at link time), ember::cuda for CUDA sources (which define
// EMBER_GEMM_EPILOGUE_CUDA first), ember::cpu::baseline otherwise.
#pragma once

#include <cmath>
#include <cstdint>

#include "cpu/gemm/gemm.h"
#include "ember/host_device.h"

#if defined(EMBER_CPU_CAPABILITY)
#include "cpu/dispatch.h"
#define EMBER_GEMM_NS cpu::EMBER_CPU_NS
#elif defined(EMBER_GEMM_EPILOGUE_CUDA)
#define EMBER_GEMM_NS cuda
#else
#define EMBER_GEMM_NS cpu::baseline
#endif

namespace ember::EMBER_GEMM_NS {

using cpu::Activation;
using cpu::BiasKind;
using cpu::Epilogue;

// The C functions of each precision: they exist on the host and in device code alike (std::
// overloads do not resolve in device code).
EMBER_HOST_DEVICE inline float erf_of(float x) { return ::erff(x); }
EMBER_HOST_DEVICE inline double erf_of(double x) { return ::erf(x); }
EMBER_HOST_DEVICE inline float exp_of(float x) { return ::expf(x); }
EMBER_HOST_DEVICE inline double exp_of(double x) { return ::exp(x); }
EMBER_HOST_DEVICE inline float tanh_of(float x) { return ::tanhf(x); }
EMBER_HOST_DEVICE inline double tanh_of(double x) { return ::tanh(x); }

template <class T>
EMBER_HOST_DEVICE inline T activate(T x, Activation act) {
  switch (act) {
    case Activation::ReLU: return x < T(0) ? T(0) : x;  // NaN stays NaN, as in PyTorch
    case Activation::GELU: return T(0.5) * x * (T(1) + erf_of(x * T(0.70710678118654752440)));
    case Activation::Sigmoid: return T(1) / (T(1) + exp_of(-x));
    case Activation::Tanh: return tanh_of(x);
    case Activation::None: break;
  }
  return x;
}

// bias value for element (i, j) of C, 0 without a bias.
template <class T>
EMBER_HOST_DEVICE inline T bias_at(const Epilogue<T>& ep, int64_t i, int64_t j) {
  switch (ep.bias_kind) {
    case BiasKind::Row: return ep.bias[j];
    case BiasKind::Column: return ep.bias[i];
    case BiasKind::None: break;
  }
  return T(0);
}

// The final value of C[i, j] given its accumulated dot product; c is read only when beta != 0.
template <class T>
EMBER_HOST_DEVICE inline T finish(T acc, const T* c, T alpha, T beta, const Epilogue<T>& ep,
                                  int64_t i, int64_t j) {
  T v = alpha * acc;
  if (beta != T(0)) v += beta * *c;
  return activate(v + bias_at(ep, i, j), ep.activation);
}

}  // namespace ember::EMBER_GEMM_NS

#undef EMBER_GEMM_NS
