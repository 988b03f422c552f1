// CPU softmax and cross-entropy kernels. The op layer (core/ops/softmax_loss.cc) has made every
// buffer contiguous, of one float dtype (class indices int64), and allocated the outputs. A
// "row" is the `n` (or `classes`) elements x[o, :, i] of an (outer, n, inner) block, stride inner.
#pragma once

#include <cstdint>

#include "cpu/dispatch.h"
#include "ember/dtype.h"

namespace ember::cpu {

// x, y: (outer, n, inner)
using softmax_forward_fn = void (*)(DType dtype, bool log, const void* x, void* y, int64_t outer,
                                    int64_t n, int64_t inner);
EMBER_DECLARE_DISPATCH(softmax_forward_fn, softmax_forward_stub);

// grad_output, y, grad_input: (outer, n, inner)
using softmax_backward_fn = void (*)(DType dtype, bool log, const void* grad_output,
                                     const void* y, void* grad_input, int64_t outer, int64_t n,
                                     int64_t inner);
EMBER_DECLARE_DISPATCH(softmax_backward_fn, softmax_backward_stub);

// The arguments of the cross-entropy kernels; rows = outer * inner.
struct CrossEntropyArgs {
  DType dtype;
  int64_t outer, classes, inner;
  const void* input;         // (outer, classes, inner) logits
  const int64_t* target;     // (rows,) class indices, or null when `probs` is given
  const void* probs;         // (outer, classes, inner) target probabilities, or null
  const void* weight;        // (classes,) or null
  int64_t ignore_index;
  double label_smoothing;
};

// loss, row_weight, row_max, log_sum: (rows,). row_max and log_sum split each row's logsumexp
// (see ops::CrossEntropyResult). row_weight is the target's weight (0 where ignored; 1 for
// probability targets): the mean divides the summed loss by its sum.
using cross_entropy_forward_fn = void (*)(const CrossEntropyArgs& args, void* loss,
                                          void* row_weight, void* row_max, void* log_sum);
EMBER_DECLARE_DISPATCH(cross_entropy_forward_fn, cross_entropy_forward_stub);

// grad_input (outer, classes, inner) = d loss / d input * grad_output[r * grad_stride] (divided
// by *total_weight when it is not null, for the mean); row_max, log_sum (rows,) from the forward.
using cross_entropy_backward_fn = void (*)(const CrossEntropyArgs& args, const void* row_max,
                                           const void* log_sum,
                                           const void* grad_output, int64_t grad_stride,
                                           const void* total_weight, void* grad_input);
EMBER_DECLARE_DISPATCH(cross_entropy_backward_fn, cross_entropy_backward_stub);

}  // namespace ember::cpu
