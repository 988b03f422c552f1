// Copy with dtype conversion between broadcast-compatible strided tensors.
#pragma once

#include "core/tensor_iter.h"
#include "cpu/dispatch.h"

namespace ember::cpu {

// iter operands: (dst, src).
using copy_fn = void (*)(const TensorIter& iter, DType dst, DType src);
EMBER_DECLARE_DISPATCH(copy_fn, copy_stub);

}  // namespace ember::cpu
