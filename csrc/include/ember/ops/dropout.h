// Dropout, fused: one pass draws the mask from a Philox generator and scales the kept elements.
#pragma once

#include <utility>

#include "ember/random.h"
#include "ember/tensor.h"

namespace ember::ops {

// Floating x, p in [0, 1]: (out, mask) with mask[i] ~ Bernoulli(1 - p) (bool, the draws of
// bernoulli_(1 - p) from gen, the default generator when null) and
// out[i] = x[i] * (mask[i] ? 1 / (1 - p) : 0) (scale 0 when p == 1). Contiguous outputs.
std::pair<Tensor, Tensor> dropout(const Tensor& x, double p, Generator* gen = nullptr);
// The gradient of dropout: grad * (mask ? scale : 0); grad and mask of one shape and device.
Tensor dropout_backward(const Tensor& grad, const Tensor& mask, double scale);

}  // namespace ember::ops
