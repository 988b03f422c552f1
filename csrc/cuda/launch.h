// What every .cu file of ember includes instead of <cuda_runtime.h>. The same source builds
//   - with nvcc (the real backend): the CUDA runtime, kernels launched with <<<...>>>;
//   - with a host compiler and EMBER_CUDA_EMULATE defined: the SIMT emulator in emu/.
// Kernel source rules that keep both possible:
//   - launch kernels with EMBER_LAUNCH(kernel, grid, block, shared_bytes, stream, args...);
//     a template kernel whose arguments contain a comma goes in parentheses:
//     EMBER_LAUNCH((gemm<float, 64>), ...);
//   - declare dynamic shared memory with EMBER_DYNAMIC_SHARED(T, name) (gives `T* name`, 16-byte
//     aligned; all such declarations of a kernel alias the same bytes, as in CUDA);
//   - no warp-synchronous code without __syncwarp / the *_sync intrinsics.
// Errors are ember::cuda::CudaError exceptions (an ember::Error, so a Python RuntimeError
// through the bindings) that name the failing call, its file:line and CUDA's error string; emulated,
// a failed check inside a kernel names the block, thread and file:line of the offending call.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>

#include "ember/error.h"

#if defined(EMBER_CUDA_EMULATE)
#include "emu/cuda_emu.h"
#else
#include <cuda_runtime.h>
#endif

namespace ember::cuda {

struct CudaError : Error {
  CudaError(cudaError_t code, const std::string& message) : Error(message), code(code) {}
  cudaError_t code;
};

[[noreturn]] inline void throw_cuda_error(cudaError_t code, const char* what, const char* file,
                                          int line) {
  // Clear the (non-sticky) error so that the next check does not report it a second time.
  (void)cudaGetLastError();
  std::string message = std::string("CUDA error: ") + what + " failed at " + file + ":" +
                        std::to_string(line) + ": " + cudaGetErrorName(code) + " (" +
                        cudaGetErrorString(code) + ")";
#if defined(EMBER_CUDA_EMULATE)
  if (!ember::emu::last_error_detail().empty()) {
    message += ": " + ember::emu::last_error_detail();
  }
#endif
  throw CudaError(code, message);
}

inline void check(cudaError_t code, const char* what, const char* file, int line) {
  if (code != cudaSuccess) throw_cuda_error(code, what, file, line);
}

// The grid of a grid-stride loop over n > 0 items, `threads` to a block: one item per thread
// up to max_blocks blocks, past which the loop covers the rest, so that a huge n does not launch
// a huge grid (each kernel picks its own cap). Callers return before launching when n == 0: a
// grid of no blocks is an invalid launch.
inline int blocks_for(int64_t n, int threads, int64_t max_blocks) {
  return static_cast<int>(std::min<int64_t>((n + threads - 1) / threads, max_blocks));
}

}  // namespace ember::cuda

#define EMBER_CUDA_CHECK(expr) ::ember::cuda::check((expr), #expr, __FILE__, __LINE__)

#if defined(__CUDACC__)
#define EMBER_LAUNCH(kernel, grid, block, shared_bytes, stream, ...)                          \
  do {                                                                                        \
    kernel<<<(grid), (block), (shared_bytes), (stream)>>>(__VA_ARGS__);                       \
    ::ember::cuda::check(cudaGetLastError(), "launch of " #kernel, __FILE__, __LINE__);       \
  } while (0)
#define EMBER_DYNAMIC_SHARED(T, name)                                                         \
  extern __shared__ __align__(16) unsigned char ember_dynamic_smem_[];                        \
  T* const name = reinterpret_cast<T*>(ember_dynamic_smem_)
#elif defined(EMBER_CUDA_EMULATE)
namespace ember::cuda {
// The emulator's launch, its errors (bad configuration, failed checks inside the kernel)
// rethrown as the CudaError a GPU build throws.
template <class... Params, class... Args>
void launch_emulated(const ::ember::emu::LaunchSite& site, dim3 grid, dim3 block,
                     size_t shared_bytes, cudaStream_t stream, void (*kernel)(Params...),
                     Args&&... args) {
  try {
    ::ember::emu::launch(site, grid, block, shared_bytes, stream, kernel,
                         std::forward<Args>(args)...);
  } catch (const ::ember::emu::Error& e) {
    throw CudaError(e.code(), e.what());
  }
}
}  // namespace ember::cuda
#define EMBER_LAUNCH(kernel, grid, block, shared_bytes, stream, ...)                          \
  ::ember::cuda::launch_emulated(::ember::emu::LaunchSite{#kernel, __FILE__, __LINE__},        \
                                 (grid), (block), (shared_bytes), (stream), kernel,            \
                                 ##__VA_ARGS__)
#define EMBER_DYNAMIC_SHARED(T, name)                                                         \
  T* const name = reinterpret_cast<T*>(::ember::emu::detail::coords().dynamic_smem)
#endif
