// CUDA GEMM, the kernel-level interface (host-only declarations; all pointers are device memory).
// The same problem as cpu::gemm (cpu/gemm/gemm.h: row-major, trans flags, leading dimensions,
// alpha/beta, bias and activation epilogue), over a strided batch:
//   for z < batch.count:  C_z = act(alpha * op(A_z) @ op(B_z) + beta * C_z + bias)
//   with A_z = args.a + z * batch.stride_a (the same for B and C; a stride of 0 broadcasts).
#pragma once

#include <cstdint>

#include "cpu/gemm/gemm.h"

namespace ember::cuda {

using cpu::Activation;
using cpu::BiasKind;
using cpu::Epilogue;
using cpu::GemmArgs;

// The ladder, slowest first (cuda/gemm_kernels.cuh): one thread per element; shared-memory
// tiles; a 2-D block of outputs per thread in registers; the same with 128-bit global loads;
// tiles split per warp. Auto picks one from the shape and the operands' alignment.
enum class GemmVariant : uint8_t { Naive, Tiled, Register, Vectorized, WarpTiled, Auto };

// Element strides between consecutive problems of a batch.
struct GemmBatch {
  int64_t count = 1;
  int64_t stride_a = 0, stride_b = 0, stride_c = 0;
};

// The caller has checked shapes; leading dimensions are at least the stored row length (or 1).
template <class T>
void gemm(const GemmArgs<T>& args, const GemmBatch& batch, GemmVariant variant);

}  // namespace ember::cuda
