// CUDA kernels of ember/ops/random.h, with the signatures of cpu/random.h: each writes n
// contiguous elements of dtype at out (device memory) from the blocks starting at `first` of the
// stream of `seed`, following ember/random.h, so that a generator state gives the same values
// on both devices (uniform_, random_, bernoulli_ bit for bit; normal_ up to the ulps of the
// device's log/sqrt/sin/cos). randperm runs on the CPU (a sort) and is moved by the op layer.
#pragma once

#include <cstdint>

#include "ember/dtype.h"

namespace ember::cuda {

void uniform_kernel(void* out, DType dtype, int64_t n, uint64_t seed, uint64_t first, double low,
                    double high);
void normal_kernel(void* out, DType dtype, int64_t n, uint64_t seed, uint64_t first, double mean,
                   double std);
void random_kernel(void* out, DType dtype, int64_t n, uint64_t seed, uint64_t first, int64_t low,
                   uint64_t range);
// p: null for the constant p_scalar, else n contiguous values of p_dtype on the device.
void bernoulli_kernel(void* out, DType dtype, int64_t n, uint64_t seed, uint64_t first,
                      double p_scalar, const void* p, DType p_dtype);

}  // namespace ember::cuda
