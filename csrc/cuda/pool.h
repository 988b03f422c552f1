// CUDA kernels of ember/ops/pool.h, with the signatures of cpu/pool.h (device memory).
#pragma once

#include "core/pool_scalar.h"
#include "ember/dtype.h"

namespace ember::cuda {

// output and indices (int64) (planes, out_h, out_w): max pooling, fixed or adaptive windows.
void max_pool2d_forward(const Pool2dShape& s, DType dtype, const void* input, void* output,
                        int64_t* indices);
// grad_input (planes, h, w), zero on entry: each grad_output element added at its index.
void max_pool2d_backward(const Pool2dShape& s, DType dtype, const void* grad_output,
                         const int64_t* indices, void* grad_input);
// output (planes, out_h, out_w): average pooling, fixed or adaptive windows.
void avg_pool2d_forward(const Pool2dShape& s, DType dtype, const void* input, void* output);
// grad_input (planes, h, w), zero on entry: each grad_output / divisor spread over its window.
void avg_pool2d_backward(const Pool2dShape& s, DType dtype, const void* grad_output,
                         void* grad_input);

}  // namespace ember::cuda
