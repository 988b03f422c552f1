// Random draws, one Philox block per thread in a grid-stride loop.
//   out: n contiguous elements of T; the thread of block b writes out[b * kPerBlock ...] (at most
//        kPerBlock elements), the values of the functor Op of ember/random_draw.h
//   p (bernoulli with a tensor): n contiguous probabilities, read through the functor
#include <algorithm>
#include <type_traits>

#include "core/draw_kernels.h"
#include "cuda/launch.h"
#include "cuda/random.h"

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

constexpr auto kDraw = [](auto* out, int64_t n, uint64_t seed, uint64_t first, const auto& op) {
  using T = std::remove_pointer_t<decltype(out)>;
  using Op = std::decay_t<decltype(op)>;
  if (n == 0) return;
  constexpr int kThreads = 256;
  const int64_t blocks = (n + Op::kPerBlock - 1) / Op::kPerBlock;
  const int grid = static_cast<int>(std::min<int64_t>((blocks + kThreads - 1) / kThreads, 1024));
  EMBER_LAUNCH((draw_blocks<T, Op>), grid, kThreads, 0, nullptr, out, n, seed, first, op);
};

}  // namespace

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
