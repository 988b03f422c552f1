// The CUDA runtime API for ember's CUDA sources: the real one under nvcc, the SIMT emulator's
// (csrc/cuda/emu) when the backend is built as host code. Plus the error check every runtime
// call goes through.
#pragma once

#if defined(__CUDACC__)
#include <cuda_runtime.h>
#else
#include "cuda/emu/cuda_emu.h"
#endif

#include "ember/error.h"

namespace ember::cuda {

inline void check_status(cudaError_t status, const char* call, const char* file, int line) {
  if (status == cudaSuccess) return;
  cudaGetLastError();  // clear a non-sticky error so that the next call is judged on its own
  throw Error(detail::concat("CUDA error: ", cudaGetErrorString(status), " (", call, " at ",
                             file, ":", line, ")"));
}

}  // namespace ember::cuda

#define EMBER_CUDA_CHECK(expr) ::ember::cuda::check_status((expr), #expr, __FILE__, __LINE__)
