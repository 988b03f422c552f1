// Turns a linear element index into byte offsets of every operand of a TensorIter, on the
// device. Passed to kernels by value (it lives in kernel parameter space).
#pragma once

#include <cstdint>

#include "core/tensor_iter.h"
#include "cuda/launch.h"

namespace ember::cuda {

template <int NumOperands>
struct OffsetCalculator {
  int ndim;
  int64_t shape[TensorIter::kMaxDims];                 // innermost first
  int64_t strides[NumOperands][TensorIter::kMaxDims];  // bytes

  explicit OffsetCalculator(const TensorIter& iter) : ndim(iter.ndim()) {
    for (int d = 0; d < ndim; ++d) {
      shape[d] = iter.shape(d);
      for (int k = 0; k < NumOperands; ++k) strides[k][d] = iter.byte_stride(k, d);
    }
  }

  __device__ void offsets(int64_t index, int64_t (&out)[NumOperands]) const {
    for (int k = 0; k < NumOperands; ++k) out[k] = 0;
    for (int d = 0; d < ndim; ++d) {
      const int64_t i = index % shape[d];
      index /= shape[d];
      for (int k = 0; k < NumOperands; ++k) out[k] += i * strides[k][d];
    }
  }
};

}  // namespace ember::cuda
