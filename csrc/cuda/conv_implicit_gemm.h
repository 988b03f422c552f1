// The implicit-GEMM convolution kernels of CUDA's ConvVariant::ImplicitGemm (see
// conv_implicit_gemm.cu), called by cuda/conv.cu. Buffers and shapes as in core/kernels/conv.inc;
// all pointers are device memory, outputs are overwritten.
#pragma once

#include "core/conv_scalar.h"
#include "ember/dtype.h"

namespace ember::cuda {

// Whether the implicit GEMMs take this shape: their gathers index with 32 bits, so the number
// of outputs and inputs per channel (n * out volume, n * in volume), c_in * taps, c_out * taps
// and the positions along each axis (up to out * stride + in + pad) stay below 2^31.
bool implicit_gemm_fits(const ConvShape& s);

void conv_forward_implicit_gemm(const ConvShape& s, DType dtype, const void* input,
                                const void* weight, const void* bias, void* output);
void conv_backward_input_implicit_gemm(const ConvShape& s, DType dtype, const void* grad_output,
                                       const void* weight, void* grad_input);
void conv_backward_weight_implicit_gemm(const ConvShape& s, DType dtype, const void* grad_output,
                                        const void* input, void* grad_weight);

}  // namespace ember::cuda
