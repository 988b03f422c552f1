// CPU activation kernels. The op layer (core/ops/activation.cc) has made every buffer
// contiguous, of one float dtype, and allocated the outputs.
#pragma once

#include <cstdint>

#include "cpu/dispatch.h"
#include "ember/dtype.h"
#include "ember/ops/activation.h"

namespace ember::cpu {

// x, y: (n,)
using activation_forward_fn = void (*)(ops::ActivationOp op, const ops::ActivationParams& params,
                                       DType dtype, const void* x, void* y, int64_t n);
EMBER_DECLARE_DISPATCH(activation_forward_fn, activation_forward_stub);

// grad_output, saved (x, or y for sigmoid/tanh), grad_input: (n,)
using activation_backward_fn = void (*)(ops::ActivationOp op,
                                        const ops::ActivationParams& params, DType dtype,
                                        const void* grad_output, const void* saved,
                                        void* grad_input, int64_t n);
EMBER_DECLARE_DISPATCH(activation_backward_fn, activation_backward_stub);

// x, y: (outer, channels, inner); weight: (channels,)
using prelu_forward_fn = void (*)(DType dtype, const void* x, const void* weight, void* y,
                                  int64_t outer, int64_t channels, int64_t inner);
EMBER_DECLARE_DISPATCH(prelu_forward_fn, prelu_forward_stub);

// grad_output, x, grad_input: (outer, channels, inner); weight, grad_weight: (channels,)
using prelu_backward_fn = void (*)(DType dtype, const void* grad_output, const void* x,
                                   const void* weight, void* grad_input, void* grad_weight,
                                   int64_t outer, int64_t channels, int64_t inner);
EMBER_DECLARE_DISPATCH(prelu_backward_fn, prelu_backward_stub);

}  // namespace ember::cpu
