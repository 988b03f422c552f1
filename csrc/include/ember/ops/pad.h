// F.pad over the last 1 to 3 dims of a float32/float64 tensor, with PyTorch's argument order:
// pads = (before_last, after_last, before_second_last, after_second_last, ...), 2 to 6 values.
// mode: "constant" (any rank; negative pads crop), "reflect", "replicate", "circular" (pads
// >= 0; the input has k + 1 or k + 2 dims for k padded dims).
#pragma once

#include <string>

#include "ember/tensor.h"

namespace ember::ops {

Tensor pad(const Tensor& input, const Shape& pads, const std::string& mode, double value);
// grad_input of input_size: each grad_output element added to the input element it came from.
Tensor pad_backward(const Tensor& grad_output, const Shape& input_size, const Shape& pads,
                    const std::string& mode);

}  // namespace ember::ops
