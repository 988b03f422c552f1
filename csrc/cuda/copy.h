// Copy with dtype conversion between broadcast-compatible strided device tensors.
#pragma once

#include "core/tensor_iter.h"

namespace ember::cuda {

// iter operands: (dst, src), both on the current CUDA device.
void copy(const TensorIter& iter, DType dst, DType src);

}  // namespace ember::cuda
