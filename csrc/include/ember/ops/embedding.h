// Embedding lookups' gradient (the lookup itself is index_select of the weight's rows).
#pragma once

#include <cstdint>

#include "ember/tensor.h"

namespace ember::ops {

// The gradient of weight for out = weight[indices]: grad (indices.shape..., dim) floating,
// indices int64 or int32 in [0, num_weights) (checked). Returns (num_weights, dim): the sum of
// the gradient rows of each index, zero at padding_idx (-1: none).
Tensor embedding_backward(const Tensor& grad, const Tensor& indices, int64_t num_weights,
                          int64_t padding_idx);

}  // namespace ember::ops
