// The per-element formulas of the fused cross-entropy, one definition for the CPU kernels
// (cpu/softmax_loss.simd.cc) and the CUDA kernels (cuda/softmax_loss.cu). Notation for one row:
// logits x, lse = log(sum(exp(x))), p = exp(x - lse), class weights w (1 without a weight),
// label smoothing eps over C classes. PyTorch's definitions:
//   class index t:  loss = (1 - eps) w_t (lse - x_t) + eps/C sum_c w_c (lse - x_c)
//   probabilities q: loss = sum_c w_c q'_c (lse - x_c),  q' = (1 - eps) q + eps/C
// Everything lands in the namespace of the including file, as for core/elementwise_scalar.h.
#pragma once

#include "core/elementwise_scalar.h"
#include "ember/host_device.h"

namespace ember::EMBER_SCALAR_HOME::xent {

// -log p_c = lse - x_c for lse = row_max + log_sum, without rounding x_c against lse.
template <class T>
EMBER_HOST_DEVICE inline T neg_log_prob(T x, T row_max, T log_sum) {
  return (row_max - x) + log_sum;
}

// q' of a target probability q.
template <class T>
EMBER_HOST_DEVICE inline T smoothed(T q, T eps, T inv_classes) {
  return (T(1) - eps) * q + eps * inv_classes;
}

// d loss / d x_j for a class-index target: p_j, whether j is the target, the target's weight,
// w_j, and sum_c w_c (only read when eps > 0).
template <class T>
EMBER_HOST_DEVICE inline T index_grad(T p, bool is_target, T w_target, T w_j, T eps,
                                      T inv_classes, T weight_sum) {
  T grad = (T(1) - eps) * w_target * (is_target ? p - T(1) : p);
  if (eps > T(0)) grad += eps * inv_classes * (weight_sum * p - w_j);
  return grad;
}

// d loss / d x_j for probability targets: p_j, s = sum_c w_c q'_c, and w_j q'_j.
template <class T>
EMBER_HOST_DEVICE inline T prob_grad(T p, T s, T wq_j) {
  return p * s - wq_j;
}

}  // namespace ember::EMBER_SCALAR_HOME::xent
