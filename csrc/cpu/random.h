// Kernels of ember/ops/random.h. Each writes n contiguous elements of dtype at out from the
// blocks starting at `first` of the stream of `seed`, following the scheme of ember/random.h.
//
// Compiled once, for the baseline instruction set (a plain .cc, not .simd.cc): the conversions
// from bits to floats must not be contracted into FMAs differently on different CPUs, so that a
// seed gives the same numbers everywhere.
#pragma once

#include <cstdint>

#include "ember/dtype.h"
#include "ember/random_draw.h"

namespace ember::cpu {

using philox::kDraws32PerBlock;
using philox::kDraws64PerBlock;
// Blocks a floating uniform_/normal_ of n elements of dtype uses.
int64_t float_draw_blocks(DType dtype, int64_t n);

void uniform_kernel(void* out, DType dtype, int64_t n, uint64_t seed, uint64_t first, double low,
                    double high);
void normal_kernel(void* out, DType dtype, int64_t n, uint64_t seed, uint64_t first, double mean,
                   double std);
// low + floor(x * range / 2^64) for 64-bit draws x, wrapped to dtype (range = high - low > 0).
void random_kernel(void* out, DType dtype, int64_t n, uint64_t seed, uint64_t first, int64_t low,
                   uint64_t range);
// 32-bit draws w: out[i] = w < p[i] * 2^32. p is null for a constant p_scalar; else it holds n
// contiguous values of p_dtype (floating).
void bernoulli_kernel(void* out, DType dtype, int64_t n, uint64_t seed, uint64_t first,
                      double p_scalar, const void* p, DType p_dtype);
// The permutation of 0..n-1 that sorts 64-bit draws (ties by index), written as dtype.
void randperm_kernel(void* out, DType dtype, int64_t n, uint64_t seed, uint64_t first);

}  // namespace ember::cpu
