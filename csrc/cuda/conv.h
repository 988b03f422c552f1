// CUDA kernels of ember/ops/conv.h, with the signatures of cpu/conv.h (device memory). Only the
// direct kernels exist here: the variant is accepted and ignored.
#pragma once

#include "core/conv_scalar.h"
#include "ember/dtype.h"

namespace ember::cuda {

void conv2d_forward(const Conv2dShape& s, DType dtype, const void* input, const void* weight,
                    const void* bias, void* output, ConvVariant variant);
void conv2d_backward_input(const Conv2dShape& s, DType dtype, const void* grad_output,
                           const void* weight, void* grad_input, ConvVariant variant);
void conv2d_backward_weight(const Conv2dShape& s, DType dtype, const void* grad_output,
                            const void* input, void* grad_weight, ConvVariant variant);

}  // namespace ember::cuda
