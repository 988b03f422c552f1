// CUDA softmax and cross-entropy kernels, with the signatures of cpu/softmax_loss.h (device
// buffers; the op layer has made them contiguous and allocated the outputs).
#pragma once

#include <cstdint>

#include "cpu/softmax_loss.h"
#include "ember/dtype.h"

namespace ember::cuda {

void softmax_forward(DType dtype, bool log, const void* x, void* y, int64_t outer, int64_t n,
                     int64_t inner);
void softmax_backward(DType dtype, bool log, const void* grad_output, const void* y,
                      void* grad_input, int64_t outer, int64_t n, int64_t inner);
void cross_entropy_forward(const cpu::CrossEntropyArgs& args, void* loss, void* row_weight,
                           void* row_max, void* log_sum);
void cross_entropy_backward(const cpu::CrossEntropyArgs& args, const void* row_max,
                            const void* log_sum,
                            const void* grad_output, int64_t grad_stride,
                            const void* total_weight, void* grad_input);

}  // namespace ember::cuda
