// EMBER_HOST_DEVICE marks a function that compiles for the CPU and, under nvcc, inside CUDA
// kernels too: how one definition of a per-element computation serves both backends.
#pragma once

#if defined(__CUDACC__)
#define EMBER_HOST_DEVICE __host__ __device__
#else
#define EMBER_HOST_DEVICE
#endif
