// Random draws, one Philox block per thread in a grid-stride loop.
//   out: n contiguous elements of T; the thread of block b writes out[b * kPerBlock ...] (at most
//        kPerBlock elements), the values of the functor Op of ember/random_draw.h
//   p (bernoulli with a tensor): n contiguous probabilities, read through the functor
#include <algorithm>

#include "cuda/launch.h"
#include "cuda/random.h"
#include "ember/random_draw.h"

namespace ember::cuda {
namespace {

template <class T, class Op>
__global__ void draw_blocks(T* out, int64_t n, uint64_t seed, uint64_t first, Op op) {
  const int64_t blocks = (n + Op::kPerBlock - 1) / Op::kPerBlock;
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t b = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; b < blocks;
       b += step) {
    uint32_t w[4];
    philox::block(seed, first + static_cast<uint64_t>(b), w);
    const int64_t i0 = b * Op::kPerBlock;
    op(w, out + i0, n - i0 < Op::kPerBlock ? n - i0 : Op::kPerBlock, i0);
  }
}

template <class T, class Op>
void draw(T* out, int64_t n, uint64_t seed, uint64_t first, const Op& op) {
  if (n == 0) return;
  constexpr int kThreads = 256;
  const int64_t blocks = (n + Op::kPerBlock - 1) / Op::kPerBlock;
  const int grid = static_cast<int>(std::min<int64_t>((blocks + kThreads - 1) / kThreads, 1024));
  EMBER_LAUNCH((draw_blocks<T, Op>), grid, kThreads, 0, nullptr, out, n, seed, first, op);
}

}  // namespace

void uniform_kernel(void* out, DType dtype, int64_t n, uint64_t seed, uint64_t first, double low,
                    double high) {
  EMBER_DISPATCH_FLOATING(dtype, "uniform_", [&] {
    draw(static_cast<scalar_t*>(out), n, seed, first, philox::uniform_op<scalar_t>(low, high));
  });
}

void normal_kernel(void* out, DType dtype, int64_t n, uint64_t seed, uint64_t first, double mean,
                   double std) {
  EMBER_DISPATCH_FLOATING(dtype, "normal_", [&] {
    draw(static_cast<scalar_t*>(out), n, seed, first,
         philox::Normal<scalar_t>{static_cast<scalar_t>(mean), static_cast<scalar_t>(std)});
  });
}

void random_kernel(void* out, DType dtype, int64_t n, uint64_t seed, uint64_t first, int64_t low,
                   uint64_t range) {
  EMBER_DISPATCH_NUMERIC(dtype, "random_", [&] {
    draw(static_cast<scalar_t*>(out), n, seed, first,
         philox::RandomInt<scalar_t>{static_cast<uint64_t>(low), range});
  });
}

void bernoulli_kernel(void* out, DType dtype, int64_t n, uint64_t seed, uint64_t first,
                      double p_scalar, const void* p, DType p_dtype) {
  EMBER_DISPATCH_ALL(dtype, "bernoulli_", [&] {
    using T = scalar_t;
    T* o = static_cast<T*>(out);
    if (p == nullptr) {
      draw(o, n, seed, first,
           philox::Bernoulli<T, philox::ConstantThreshold>{{p_scalar * philox::kTwo32}});
    } else {
      EMBER_DISPATCH_FLOATING(p_dtype, "bernoulli", [&] {
        using Threshold = philox::TensorThreshold<scalar_t>;
        draw(o, n, seed, first,
             philox::Bernoulli<T, Threshold>{Threshold{static_cast<const scalar_t*>(p)}});
      });
    }
  });
}

}  // namespace ember::cuda
