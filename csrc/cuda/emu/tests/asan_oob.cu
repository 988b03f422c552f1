// Planted out-of-bounds accesses for the sanitized build; each mode must be reported by ASan or
// UBSan (CTest matches the report). Usage: emu_asan_oob dynamic|global|static
#include <cstdio>
#include <cstring>

#include "cuda/launch.h"

namespace {

__global__ void dynamic_shared_overflow(float* out) {
  EMBER_DYNAMIC_SHARED(float, s);
  s[threadIdx.x + 1] = 1.0f;  // the last thread writes one past the launch's shared bytes
  __syncthreads();
  out[threadIdx.x] = s[threadIdx.x];
}

__global__ void global_overflow(float* out) { out[threadIdx.x + 1] = 1.0f; }

__global__ void static_shared_overflow(float* out, int shift) {
  __shared__ float s[32];
  s[threadIdx.x + shift] = 1.0f;  // UBSan -fsanitize=bounds: no ASan redzone around statics
  __syncthreads();
  out[threadIdx.x] = s[threadIdx.x];
}

}  // namespace

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "";
  float* out = nullptr;
  EMBER_CUDA_CHECK(cudaMalloc(&out, 32 * sizeof(float)));
  if (std::strcmp(mode, "dynamic") == 0) {
    EMBER_LAUNCH(dynamic_shared_overflow, 1, 32, 32 * sizeof(float), 0, out);
  } else if (std::strcmp(mode, "global") == 0) {
    EMBER_LAUNCH(global_overflow, 1, 32, 0, 0, out);
  } else if (std::strcmp(mode, "static") == 0) {
    EMBER_LAUNCH(static_shared_overflow, 1, 32, 0, 0, out, argc);  // argc == 2: thread 30 writes s[32]
  } else {
    std::fprintf(stderr, "usage: %s dynamic|global|static\n", argv[0]);
    return 2;
  }
  EMBER_CUDA_CHECK(cudaFree(out));
  std::printf("no error detected\n");
  return 0;
}
