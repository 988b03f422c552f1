// Random draws through the runner of cuda/philox_blocks.cuh.
//   out: n contiguous elements of T; the thread of block b writes out[b * kPerBlock ...] (at most
//        kPerBlock elements), the values of the functor Op of ember/random_draw.h
//   p (bernoulli with a tensor): n contiguous probabilities, read through the functor
#include "core/draw_kernels.h"
#include "cuda/philox_blocks.cuh"
#include "cuda/random.h"

namespace ember::cuda {

void uniform_kernel(void* out, DType dtype, int64_t n, uint64_t seed, uint64_t first, double low,
                    double high) {
  draw_kernels::uniform(kDraw, out, dtype, n, seed, first, low, high);
}

void normal_kernel(void* out, DType dtype, int64_t n, uint64_t seed, uint64_t first, double mean,
                   double std) {
  draw_kernels::normal(kDraw, out, dtype, n, seed, first, mean, std);
}

void random_kernel(void* out, DType dtype, int64_t n, uint64_t seed, uint64_t first, int64_t low,
                   uint64_t range) {
  draw_kernels::random(kDraw, out, dtype, n, seed, first, low, range);
}

void bernoulli_kernel(void* out, DType dtype, int64_t n, uint64_t seed, uint64_t first,
                      double p_scalar, const void* p, DType p_dtype) {
  draw_kernels::bernoulli(kDraw, out, dtype, n, seed, first, p_scalar, p, p_dtype);
}

}  // namespace ember::cuda
