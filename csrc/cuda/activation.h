// CUDA activation kernels, with the signatures of cpu/activation.h (device buffers; the op layer
// has made them contiguous and allocated the outputs).
#pragma once

#include <cstdint>

#include "ember/dtype.h"
#include "ember/ops/activation.h"

namespace ember::cuda {

void activation_forward(ops::ActivationOp op, const ops::ActivationParams& params, DType dtype,
                        const void* x, void* y, int64_t n);
void activation_backward(ops::ActivationOp op, const ops::ActivationParams& params, DType dtype,
                         const void* grad_output, const void* saved, void* grad_input, int64_t n);
void prelu_forward(DType dtype, const void* x, const void* weight, void* y, int64_t outer,
                   int64_t channels, int64_t inner);
void prelu_backward(DType dtype, const void* grad_output, const void* x, const void* weight,
                    void* grad_input, void* grad_weight, int64_t outer, int64_t channels,
                    int64_t inner);

}  // namespace ember::cuda
