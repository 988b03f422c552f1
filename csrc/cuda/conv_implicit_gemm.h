// The implicit-GEMM convolution kernels of CUDA's ConvVariant::ImplicitGemm (see
// conv_implicit_gemm.cu), called by cuda/conv.cu. Buffers and shapes as in core/kernels/conv.inc;
// all pointers are device memory, outputs are overwritten.
#pragma once

#include "core/conv_scalar.h"
#include "ember/dtype.h"

namespace ember::cuda {

// Whether the implicit GEMMs take this shape: a 2-D one (ConvShape::is_2d: their gathers have
// no depth axis) whose indices fit the gathers' 32 bits: the number of outputs and inputs per
// channel (n * out_h * out_w, n * h * w), c_in * kh * kw, c_out * kh * kw and the image
// positions (up to out_h * stride_h + h + pad_h) stay below 2^31.
bool implicit_gemm_fits(const ConvShape& s);

void conv2d_forward_implicit_gemm(const ConvShape& s, DType dtype, const void* input,
                                  const void* weight, const void* bias, void* output);
void conv2d_backward_input_implicit_gemm(const ConvShape& s, DType dtype,
                                         const void* grad_output, const void* weight,
                                         void* grad_input);
void conv2d_backward_weight_implicit_gemm(const ConvShape& s, DType dtype,
                                          const void* grad_output, const void* input,
                                          void* grad_weight);

}  // namespace ember::cuda
