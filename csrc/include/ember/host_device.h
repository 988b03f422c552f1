// EMBER_HOST_DEVICE marks functions that both the CPU code and CUDA kernels call: __host__
// __device__ under nvcc, nothing for a host compiler (the SIMT emulator included). The same
// definition as in ember/philox.h, so either header may come first.
#pragma once

#if defined(__CUDACC__)
#define EMBER_HOST_DEVICE __host__ __device__
#else
#define EMBER_HOST_DEVICE
#endif
