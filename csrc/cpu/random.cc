#include "cpu/random.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "ember/parallel.h"
#include "ember/random_draw.h"

namespace ember::cpu {
namespace {

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

// Runs one functor of ember/random_draw.h over the n elements at out.
template <class T, class Op>
void draw(T* out, int64_t n, uint64_t seed, uint64_t first, const Op& op) {
  for_blocks<Op::kPerBlock>(n, seed, first, [&](const uint32_t* w, int64_t i0, int64_t c) {
    op(w, out + i0, c, i0);
  });
}

}  // namespace

int64_t float_draw_blocks(DType dtype, int64_t n) {
  const int64_t per = dtype == DType::Float32 ? kDraws32PerBlock : kDraws64PerBlock;
  return (n + per - 1) / per;
}

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

void randperm_kernel(void* out, DType dtype, int64_t n, uint64_t seed, uint64_t first) {
  std::vector<std::pair<uint64_t, int64_t>> keyed(static_cast<size_t>(n));
  for_blocks<philox::kDraws64PerBlock>(n, seed, first, [&](const uint32_t* w, int64_t i0, int64_t c) {
    for (int64_t k = 0; k < c; ++k) keyed[i0 + k] = {philox::draw64(w, k), i0 + k};
  });
  std::sort(keyed.begin(), keyed.end());
  EMBER_DISPATCH_NUMERIC(dtype, "randperm", [&] {
    scalar_t* o = static_cast<scalar_t*>(out);
    parallel_for(0, n, kGrainSize, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) o[i] = static_cast<scalar_t>(keyed[i].second);
    });
  });
}

}  // namespace ember::cpu
