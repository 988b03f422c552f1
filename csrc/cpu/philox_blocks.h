// The CPU runner of Philox draws (the scheme of ember/random.h): block b of a call feeds the
// elements [b * PerBlock, b * PerBlock + PerBlock) of it, so results do not depend on threads.
// Shared by cpu/random.cc and cpu/dropout.cc.
#pragma once

#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "ember/parallel.h"
#include "ember/philox.h"

namespace ember::cpu {

// A block costs ten rounds of multiplies; this many make a thread's work worth starting.
constexpr int64_t kBlockGrain = 2048;

// Calls fn(w, i0, count) for every block of the call, where w holds the block's four words
// and elements [i0, i0 + count) are the ones it feeds.
template <int64_t PerBlock, class Fn>
void for_blocks(int64_t n, uint64_t seed, uint64_t first, const Fn& fn) {
  const int64_t blocks = (n + PerBlock - 1) / PerBlock;
  parallel_for(0, blocks, kBlockGrain, [&](int64_t b0, int64_t b1) {
    uint32_t w[4];
    for (int64_t b = b0; b < b1; ++b) {
      philox::block(seed, first + static_cast<uint64_t>(b), w);
      const int64_t i0 = b * PerBlock;
      fn(w, i0, std::min(PerBlock, n - i0));
    }
  });
}

// Runs a functor of ember/random_draw.h (or one with its interface) over the n elements at out.
inline constexpr auto kDraw = [](auto* out, int64_t n, uint64_t seed, uint64_t first,
                                 const auto& op) {
  constexpr int64_t kPerBlock = std::decay_t<decltype(op)>::kPerBlock;
  for_blocks<kPerBlock>(n, seed, first, [&](const uint32_t* w, int64_t i0, int64_t c) {
    op(w, out + i0, c, i0);
  });
};

}  // namespace ember::cpu
