// Kernel launches (provisional: the emulator's version replaces this file).
#pragma once

#include "cuda/runtime.h"

#define EMBER_LAUNCH(kernel, grid, block, shared_bytes, stream, ...)      \
  do {                                                                    \
    kernel<<<(grid), (block), (shared_bytes), (stream)>>>(__VA_ARGS__);   \
    EMBER_CUDA_CHECK(cudaGetLastError());                                 \
  } while (0)
