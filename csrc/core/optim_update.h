// The per-element update rules of the fused optimizer steps (ember/ops/optim.h), shared by the
// CPU kernels (csrc/cpu/optim.simd.cc) and the CUDA kernels (csrc/cuda/optim.cu).
//
// Each rule is a small struct, built on the host from its options (step-dependent scalars
// computed there in double, then rounded once to T), whose operator()(i, b) updates element i of
// the parameter and of its state buffers. The order of operations follows torch.optim's
// single-tensor path, so float64 results agree with PyTorch to rounding and float32 ones to
// float32 tolerance.
#pragma once

#include <cmath>
#include <cstdint>

#include "ember/dtype.h"
#include "ember/host_device.h"
#include "ember/ops/optim.h"

namespace ember::optim {

constexpr int kMaxStates = 3;

// What a kernel sees: n contiguous elements in each buffer; unused state slots are null.
struct Buffers {
  void* param;
  const void* grad;
  void* state[kMaxStates];
  int64_t n;
  DType dtype;
};

}  // namespace ember::optim

// The rules are compiled once per CPU instruction set and once for CUDA; each compilation gets
// a namespace of its own so that no inline function is shared between them (csrc/cpu/dispatch.h).
#if defined(EMBER_CPU_CAPABILITY)
#include "cpu/dispatch.h"
#define EMBER_OPTIM_HOME cpu::EMBER_CPU_NS
#else
#define EMBER_OPTIM_HOME cuda
#endif

namespace ember::EMBER_OPTIM_HOME::optim {

using ::ember::optim::Buffers;
using ::ember::optim::kMaxStates;

// The C function of each precision, which exists on the host and in device code alike.
EMBER_HOST_DEVICE inline float sqrt_(float x) { return ::sqrtf(x); }
EMBER_HOST_DEVICE inline double sqrt_(double x) { return ::sqrt(x); }
EMBER_HOST_DEVICE inline float fabs_(float x) { return ::fabsf(x); }
EMBER_HOST_DEVICE inline double fabs_(double x) { return ::fabs(x); }

template <class T>
struct TypedBuffers {
  T* param;
  const T* grad;
  T* state[kMaxStates];

  explicit TypedBuffers(const Buffers& b)
      : param(static_cast<T*>(b.param)), grad(static_cast<const T*>(b.grad)),
        state{static_cast<T*>(b.state[0]), static_cast<T*>(b.state[1]),
              static_cast<T*>(b.state[2])} {}
};

// torch.lerp's formula (exact at both ends), used by PyTorch for the running averages.
template <class T>
EMBER_HOST_DEVICE inline T lerp(T self, T end, T weight) {
  return (weight < T(0.5)) ? self + weight * (end - self) : end - (end - self) * (T(1) - weight);
}

// The gradient as the rules use it: negated to maximize, plus L2 weight decay.
template <class T>
EMBER_HOST_DEVICE inline T effective_grad(T g, T p, bool maximize, T weight_decay) {
  g = maximize ? -g : g;
  return weight_decay != T(0) ? g + weight_decay * p : g;
}

template <class T>
struct SgdUpdate {
  explicit SgdUpdate(const ops::SgdOptions& o)
      : lr(o.lr), momentum(o.momentum), keep(1 - o.dampening), weight_decay(o.weight_decay),
        nesterov(o.nesterov), maximize(o.maximize), first_step(o.first_step),
        use_momentum(o.momentum != 0) {}

  EMBER_HOST_DEVICE void operator()(int64_t i, const TypedBuffers<T>& b) const {
    T p = b.param[i];
    T d = effective_grad(b.grad[i], p, maximize, weight_decay);
    if (use_momentum) {
      T* buf = b.state[0];
      const T v = first_step ? d : buf[i] * momentum + keep * d;
      buf[i] = v;
      d = nesterov ? d + momentum * v : v;
    }
    b.param[i] = p - lr * d;
  }

  T lr, momentum, keep, weight_decay;
  bool nesterov, maximize, first_step, use_momentum;
};

template <class T>
struct AdamUpdate {
  explicit AdamUpdate(const ops::AdamOptions& o)
      : beta1_weight(1 - o.beta1), beta2(o.beta2), beta2_weight(1 - o.beta2), eps(o.eps),
        weight_decay(o.decoupled_weight_decay ? 0 : o.weight_decay),
        decay_factor(o.decoupled_weight_decay ? 1 - o.lr * o.weight_decay : 1),
        step_size(o.lr / (1 - std::pow(o.beta1, o.step))),
        bias_correction2_sqrt(std::sqrt(1 - std::pow(o.beta2, o.step))),
        amsgrad(o.amsgrad), maximize(o.maximize) {}

  EMBER_HOST_DEVICE void operator()(int64_t i, const TypedBuffers<T>& b) const {
    const T p = b.param[i] * decay_factor;
    const T g = effective_grad(b.grad[i], p, maximize, weight_decay);
    const T m = lerp(b.state[0][i], g, beta1_weight);
    T v = b.state[1][i] * beta2 + beta2_weight * (g * g);
    b.state[0][i] = m;
    b.state[1][i] = v;
    if (amsgrad) {
      v = v > b.state[2][i] ? v : b.state[2][i];
      b.state[2][i] = v;
    }
    const T denom = sqrt_(v) / bias_correction2_sqrt + eps;
    b.param[i] = p - step_size * m / denom;
  }

  T beta1_weight, beta2, beta2_weight, eps, weight_decay, decay_factor, step_size,
      bias_correction2_sqrt;
  bool amsgrad, maximize;
};

template <class T>
struct AdamaxUpdate {
  explicit AdamaxUpdate(const ops::AdamaxOptions& o)
      : beta1_weight(1 - o.beta1), beta2(o.beta2), eps(o.eps), weight_decay(o.weight_decay),
        clr(o.lr / (1 - std::pow(o.beta1, o.step))), maximize(o.maximize) {}

  EMBER_HOST_DEVICE void operator()(int64_t i, const TypedBuffers<T>& b) const {
    const T p = b.param[i];
    const T g = effective_grad(b.grad[i], p, maximize, weight_decay);
    const T m = lerp(b.state[0][i], g, beta1_weight);
    const T decayed = b.state[1][i] * beta2;
    const T bound = fabs_(g) + eps;
    const T u = decayed > bound ? decayed : bound;
    b.state[0][i] = m;
    b.state[1][i] = u;
    b.param[i] = p - clr * m / u;
  }

  T beta1_weight, beta2, eps, weight_decay, clr;
  bool maximize;
};

template <class T>
struct NAdamUpdate {
  static double mu_at(const ops::NAdamOptions& o, double step) {
    return o.beta1 * (1 - 0.5 * std::pow(0.96, step * o.momentum_decay));
  }
  explicit NAdamUpdate(const ops::NAdamOptions& o)
      : beta1_weight(1 - o.beta1), beta2(o.beta2), beta2_weight(1 - o.beta2), eps(o.eps),
        weight_decay(o.decoupled_weight_decay ? 0 : o.weight_decay),
        decay_factor(o.decoupled_weight_decay ? 1 - o.lr * o.weight_decay : 1),
        bias_correction2(1 - std::pow(o.beta2, o.step)),
        grad_coef(-o.lr * (1 - mu_at(o, o.step)) / (1 - o.mu_product)),
        avg_coef(-o.lr * mu_at(o, o.step + 1) / (1 - o.mu_product * mu_at(o, o.step + 1))),
        maximize(o.maximize) {}

  EMBER_HOST_DEVICE void operator()(int64_t i, const TypedBuffers<T>& b) const {
    const T p = b.param[i] * decay_factor;
    const T g = effective_grad(b.grad[i], p, maximize, weight_decay);
    const T m = lerp(b.state[0][i], g, beta1_weight);
    const T v = b.state[1][i] * beta2 + beta2_weight * (g * g);
    b.state[0][i] = m;
    b.state[1][i] = v;
    const T denom = sqrt_(v / bias_correction2) + eps;
    b.param[i] = (p + grad_coef * g / denom) + avg_coef * m / denom;
  }

  T beta1_weight, beta2, beta2_weight, eps, weight_decay, decay_factor, bias_correction2,
      grad_coef, avg_coef;
  bool maximize;
};

template <class T>
struct RMSpropUpdate {
  explicit RMSpropUpdate(const ops::RMSpropOptions& o)
      : lr(o.lr), alpha(o.alpha), alpha_weight(1 - o.alpha), eps(o.eps),
        weight_decay(o.weight_decay), momentum(o.momentum), use_momentum(o.momentum > 0),
        centered(o.centered), maximize(o.maximize) {}

  EMBER_HOST_DEVICE void operator()(int64_t i, const TypedBuffers<T>& b) const {
    const T p = b.param[i];
    const T g = effective_grad(b.grad[i], p, maximize, weight_decay);
    const T square_avg = b.state[0][i] * alpha + alpha_weight * (g * g);
    b.state[0][i] = square_avg;
    T avg;
    if (centered) {
      // state: [square_avg, momentum_buffer, grad_avg] or [square_avg, grad_avg]; a select, as a
      // dynamic index would put the array in local memory.
      T* const grad_avg_buf = use_momentum ? b.state[2] : b.state[1];
      const T grad_avg = lerp(grad_avg_buf[i], g, alpha_weight);
      grad_avg_buf[i] = grad_avg;
      avg = sqrt_(square_avg - grad_avg * grad_avg) + eps;
    } else {
      avg = sqrt_(square_avg) + eps;
    }
    if (use_momentum) {
      const T buf = b.state[1][i] * momentum + g / avg;
      b.state[1][i] = buf;
      b.param[i] = p - lr * buf;
    } else {
      b.param[i] = p - lr * g / avg;
    }
  }

  T lr, alpha, alpha_weight, eps, weight_decay, momentum;
  bool use_momentum, centered, maximize;
};

template <class T>
struct AdagradUpdate {
  explicit AdagradUpdate(const ops::AdagradOptions& o)
      : clr(o.lr / (1 + (o.step - 1) * o.lr_decay)), eps(o.eps), weight_decay(o.weight_decay),
        maximize(o.maximize) {}

  EMBER_HOST_DEVICE void operator()(int64_t i, const TypedBuffers<T>& b) const {
    const T p = b.param[i];
    const T g = effective_grad(b.grad[i], p, maximize, weight_decay);
    const T sum = b.state[0][i] + g * g;
    b.state[0][i] = sum;
    b.param[i] = p - clr * g / (sqrt_(sum) + eps);
  }

  T clr, eps, weight_decay;
  bool maximize;
};

template <class T>
struct AdadeltaUpdate {
  explicit AdadeltaUpdate(const ops::AdadeltaOptions& o)
      : lr(o.lr), rho(o.rho), rho_weight(1 - o.rho), eps(o.eps), weight_decay(o.weight_decay),
        maximize(o.maximize) {}

  EMBER_HOST_DEVICE void operator()(int64_t i, const TypedBuffers<T>& b) const {
    const T p = b.param[i];
    const T g = effective_grad(b.grad[i], p, maximize, weight_decay);
    const T square_avg = b.state[0][i] * rho + rho_weight * (g * g);
    const T std_dev = sqrt_(square_avg + eps);
    const T delta = sqrt_(b.state[1][i] + eps) / std_dev * g;
    b.state[0][i] = square_avg;
    b.state[1][i] = b.state[1][i] * rho + rho_weight * (delta * delta);
    b.param[i] = p - lr * delta;
  }

  T lr, rho, rho_weight, eps, weight_decay;
  bool maximize;
};

template <class T>
struct ASGDUpdate {
  explicit ASGDUpdate(const ops::ASGDOptions& o)
      : eta(o.eta), mu(o.mu), decay_factor(1 - o.lambd * o.eta), weight_decay(o.weight_decay),
        maximize(o.maximize), averaging(o.mu != 1) {}

  EMBER_HOST_DEVICE void operator()(int64_t i, const TypedBuffers<T>& b) const {
    T p = b.param[i];
    const T g = effective_grad(b.grad[i], p, maximize, weight_decay);
    p = p * decay_factor - eta * g;
    b.param[i] = p;
    const T ax = b.state[0][i];
    b.state[0][i] = averaging ? ax + (p - ax) * mu : p;
  }

  T eta, mu, decay_factor, weight_decay;
  bool maximize, averaging;
};

}  // namespace ember::EMBER_OPTIM_HOME::optim
