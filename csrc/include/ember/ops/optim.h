// Fused optimizer steps: each call updates one parameter and its state buffers in place, in one
// kernel, with PyTorch's update rule (torch.optim's single-tensor path). The scalars that depend
// on the step count (bias corrections, ...) are computed here, on the host, in double.
//
// Every tensor of a call: same shape, dtype (float32 or float64) and device, contiguous.
// `state` lists the algorithm's buffers in the order given beside each function, only those that
// the options use (e.g. Adam's max_exp_avg_sq only with amsgrad).
#pragma once

#include <vector>

#include "ember/tensor.h"

namespace ember::ops {

// The algorithms, as X(function prefix, prefix of the options type).
#define EMBER_FOR_EACH_OPTIMIZER(X) \
  X(sgd, Sgd)                       \
  X(adam, Adam)                     \
  X(adamax, Adamax)                 \
  X(nadam, NAdam)                   \
  X(rmsprop, RMSprop)               \
  X(adagrad, Adagrad)               \
  X(adadelta, Adadelta)             \
  X(asgd, ASGD)

struct SgdOptions {
  double lr = 1e-3, momentum = 0, dampening = 0, weight_decay = 0;
  bool nesterov = false, maximize = false;
  bool first_step = true;  // the momentum buffer is new: it takes the gradient as is
};
// state: [momentum_buffer] when momentum != 0, else [].
void sgd_step_(const Tensor& param, const Tensor& grad, const std::vector<Tensor>& state,
               const SgdOptions& options);

struct AdamOptions {
  double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0;
  bool amsgrad = false, maximize = false;
  bool decoupled_weight_decay = false;  // AdamW
  double step = 1;                      // the step count including this step
};
// state: [exp_avg, exp_avg_sq] + [max_exp_avg_sq] with amsgrad.
void adam_step_(const Tensor& param, const Tensor& grad, const std::vector<Tensor>& state,
                const AdamOptions& options);

struct AdamaxOptions {
  double lr = 2e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0;
  bool maximize = false;
  double step = 1;
};
// state: [exp_avg, exp_inf].
void adamax_step_(const Tensor& param, const Tensor& grad, const std::vector<Tensor>& state,
                  const AdamaxOptions& options);

struct NAdamOptions {
  double lr = 2e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0,
         momentum_decay = 4e-3;
  bool maximize = false, decoupled_weight_decay = false;
  double step = 1;
  double mu_product = 1;  // product of the momentum coefficients mu_1..mu_step (this one included)
};
// state: [exp_avg, exp_avg_sq].
void nadam_step_(const Tensor& param, const Tensor& grad, const std::vector<Tensor>& state,
                 const NAdamOptions& options);

struct RMSpropOptions {
  double lr = 1e-2, alpha = 0.99, eps = 1e-8, weight_decay = 0, momentum = 0;
  bool centered = false, maximize = false;
};
// state: [square_avg] + [momentum_buffer] when momentum > 0 + [grad_avg] when centered.
void rmsprop_step_(const Tensor& param, const Tensor& grad, const std::vector<Tensor>& state,
                   const RMSpropOptions& options);

struct AdagradOptions {
  double lr = 1e-2, lr_decay = 0, eps = 1e-10, weight_decay = 0;
  bool maximize = false;
  double step = 1;
};
// state: [sum].
void adagrad_step_(const Tensor& param, const Tensor& grad, const std::vector<Tensor>& state,
                   const AdagradOptions& options);

struct AdadeltaOptions {
  double lr = 1.0, rho = 0.9, eps = 1e-6, weight_decay = 0;
  bool maximize = false;
};
// state: [square_avg, acc_delta].
void adadelta_step_(const Tensor& param, const Tensor& grad, const std::vector<Tensor>& state,
                    const AdadeltaOptions& options);

struct ASGDOptions {
  double lambd = 1e-4, weight_decay = 0;
  bool maximize = false;
  double eta = 1e-2, mu = 1;  // the current step size and averaging weight (state 'eta', 'mu')
};
// state: [ax].
void asgd_step_(const Tensor& param, const Tensor& grad, const std::vector<Tensor>& state,
                const ASGDOptions& options);

}  // namespace ember::ops
