// CPU kernels of ember/ops/conv.h. Every buffer is contiguous, laid out as in
// core/conv_scalar.h; bias is c_out values or null. Outputs are overwritten.
#pragma once

#include "core/conv_scalar.h"
#include "ember/dtype.h"

namespace ember::cpu {

// output (n, c_out, out_h, out_w) = conv(input, weight) + bias.
void conv2d_forward(const Conv2dShape& s, DType dtype, const void* input, const void* weight,
                    const void* bias, void* output, ConvVariant variant);
// grad_input (n, c_in, h, w) from grad_output (n, c_out, out_h, out_w).
void conv2d_backward_input(const Conv2dShape& s, DType dtype, const void* grad_output,
                           const void* weight, void* grad_input, ConvVariant variant);
// grad_weight (c_out, c_in / groups, kh, kw) from grad_output and input.
void conv2d_backward_weight(const Conv2dShape& s, DType dtype, const void* grad_output,
                            const void* input, void* grad_weight, ConvVariant variant);

}  // namespace ember::cpu
