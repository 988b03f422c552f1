// CUDA elementwise kernels, as the op layer (core/ops/elementwise.cc) sees them: host-only
// declarations. The op layer has broadcast the operands, converted the inputs to the dtype the
// op computes in and allocated the output, as for the CPU kernels (cpu/elementwise.h).
//
// Integer division by zero and negative integer exponents: a kernel cannot raise, so, like
// PyTorch's CUDA kernels, the kernels report nothing and write 0 for such elements. The op layer
// raises the CPU's errors on the host when the divisor or exponent is a 0-d CPU tensor (a Python
// scalar), whose value it reads anyway.
#pragma once

#include <array>
#include <cstddef>

#include "core/tensor_iter.h"
#include "ember/ops/elementwise.h"

namespace ember::cuda {

// The inputs of a kernel in order ((a, b) of binary, (cond, a, b) of where): where an entry is
// null the input is the next device operand of the TensorIter after the output; otherwise it
// points at the value, in host memory and of the input's dtype, of a 0-d CPU tensor combined
// with CUDA tensors, which the kernel receives by value and broadcasts.
using HostValues = std::array<const void*, 3>;

// iter operands: (out, x) on the device; dtypes as for cpu::unary_stub.
void unary(const TensorIter& iter, ops::UnaryOp op, DType dtype);

// iter operands: (out, device inputs...); dtypes and ops as for cpu::binary_stub.
void binary(const TensorIter& iter, ops::BinaryOp op, DType dtype, const HostValues& host);

// iter operands: (out, device inputs...) of cond (bool), a, b (one dtype of itemsize bytes).
void where(const TensorIter& iter, size_t itemsize, const HostValues& host);

}  // namespace ember::cuda
