// The CUDA runner of Philox draws (the scheme of ember/random.h): one Philox block per thread in
// a grid-stride loop; block b of a call feeds the elements [b * kPerBlock, ...) of it, as on the
// CPU (cpu/philox_blocks.h). Shared by cuda/random.cu and cuda/dropout.cu.
//   out: n contiguous elements of T; the thread of block b writes out[b * kPerBlock ...] (at most
//        kPerBlock elements), the values of the functor Op (ember/random_draw.h's interface)
#pragma once

#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "cuda/launch.h"
#include "ember/philox.h"

namespace ember::cuda {

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

inline constexpr auto kDraw = [](auto* out, int64_t n, uint64_t seed, uint64_t first,
                                 const auto& op) {
  using T = std::remove_pointer_t<decltype(out)>;
  using Op = std::decay_t<decltype(op)>;
  if (n == 0) return;
  constexpr int kThreads = 256;
  const int64_t blocks = (n + Op::kPerBlock - 1) / Op::kPerBlock;
  const int grid = static_cast<int>(std::min<int64_t>((blocks + kThreads - 1) / kThreads, 1024));
  EMBER_LAUNCH((draw_blocks<T, Op>), grid, kThreads, 0, nullptr, out, n, seed, first, op);
};

}  // namespace ember::cuda
