// Device dispatch in the op layer. EMBER_ON_CUDA(op, statements) runs the statements in a build
// with a CUDA backend (real or emulated) and otherwise raises RuntimeError naming the op, so the
// op layer reads the same in every build and nothing links against a missing backend.
#pragma once

#include "ember/error.h"

#if EMBER_WITH_CUDA
#define EMBER_ON_CUDA(op, ...) \
  do {                         \
    __VA_ARGS__;               \
  } while (0)
#else
#define EMBER_ON_CUDA(op, ...) \
  throw ::ember::RuntimeError(::ember::detail::concat(op, ": ember was built without CUDA"))
#endif

// Calls cpu::kernel(args...) or, for a tensor t on a CUDA device, cuda::kernel(args...): for
// kernels declared with one signature in cpu/<family>.h and cuda/<family>.h.
#define EMBER_KERNEL_ON(t, op, kernel, ...)                                  \
  do {                                                                       \
    if ((t).device().is_cuda())                                              \
      EMBER_ON_CUDA(op, ::ember::cuda::kernel(__VA_ARGS__));                 \
    else                                                                     \
      ::ember::cpu::kernel(__VA_ARGS__);                                     \
  } while (0)
