// softmax / log_softmax along any dim, and the fused cross-entropy loss (log_softmax + NLL in
// one kernel per row, with class-index or probability targets).
#pragma once

#include <cstdint>
#include <optional>

#include "ember/tensor.h"

namespace ember::ops {

// y = softmax(x) (or log_softmax with log) along dim; one pass per row: max, sum of exp, write.
Tensor softmax_forward(const Tensor& x, int64_t dim, bool log);
// grad_input from grad_output and y = the forward's output.
Tensor softmax_backward(const Tensor& grad_output, const Tensor& y, int64_t dim, bool log);

enum class Reduction : uint8_t { None = 0, Mean = 1, Sum = 2 };

// What cross_entropy_forward returns: the loss and what the backward needs.
struct CrossEntropyResult {
  Tensor loss;          // (N, d1, ...) for Reduction::None, else 0-d
  // Each row's logsumexp as max + log_sum (kept apart: p = exp((x - max) - log_sum) stays
  // accurate when the logits are large).
  Tensor row_max;       // (rows,)
  Tensor log_sum;       // (rows,) log(sum(exp(x - max)))
  Tensor total_weight;  // 0-d: the mean's denominator (sum of target weights, or rows)
};

// input: (C,), (N, C) or (N, C, d1, ...) logits. target: class indices (int32/int64) of shape
// (), (N,) or (N, d1, ...), or probabilities of input's shape. weight: (C,) or none.
CrossEntropyResult cross_entropy_forward(const Tensor& input, const Tensor& target,
                                         const std::optional<Tensor>& weight,
                                         int64_t ignore_index, double label_smoothing,
                                         Reduction reduction);
Tensor cross_entropy_backward(const Tensor& grad_output, const Tensor& input,
                              const Tensor& target, const std::optional<Tensor>& weight,
                              const CrossEntropyResult& saved, int64_t ignore_index,
                              double label_smoothing, Reduction reduction);

}  // namespace ember::ops
