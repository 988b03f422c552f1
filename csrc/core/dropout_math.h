// Dropout's per-element math, shared by cpu/dropout.cc and cuda/dropout.cu so that both devices
// give the same mask and values for a generator state. Element i is kept when its 32-bit Philox
// word is below (1 - p) * 2^32: the draws of bernoulli_(1 - p), so the mask equals that of
// ember.empty_like(x).bernoulli_(1 - p) from the same generator state.
#pragma once

#include <cstdint>

#include "ember/dtype.h"
#include "ember/host_device.h"
#include "ember/random_draw.h"

namespace ember::dropout_math {

// x * scale where kept, else x * 0 (PyTorch's input * noise: a NaN input stays NaN).
template <class T>
EMBER_HOST_DEVICE inline T apply(T x, bool keep, T scale) {
  return x * (keep ? scale : T(0));
}

// The forward as a Philox block functor (ember/random_draw.h's interface): writes the kept/
// dropped mask and the scaled outputs of the block's elements in one pass.
template <class T>
struct Forward {
  static constexpr int64_t kPerBlock = philox::kDraws32PerBlock;
  const T* x;            // n contiguous inputs
  bool* mask;            // n contiguous: whether each element was kept
  double keep_threshold; // (1 - p) * 2^32
  T scale;               // 1 / (1 - p), or 0 when p == 1
  EMBER_HOST_DEVICE void operator()(const uint32_t w[4], T* out, int64_t count,
                                    int64_t i0) const {
    for (int64_t k = 0; k < count; ++k) {
      const bool keep = static_cast<double>(w[k]) < keep_threshold;
      mask[i0 + k] = keep;
      out[k] = apply(x[i0 + k], keep, scale);
    }
  }
};

// The forward of n contiguous elements through a device's Philox runner
// draw(T* out, n, seed, first, op) (cpu/philox_blocks.h, cuda/philox_blocks.cuh).
template <class Draw>
void forward(const Draw& draw, const void* x, void* out, bool* mask, DType dtype, int64_t n,
             uint64_t seed, uint64_t first, double p) {
  EMBER_DISPATCH_FLOATING(dtype, "dropout", [&] {
    const scalar_t scale = p == 1.0 ? scalar_t(0) : static_cast<scalar_t>(1.0 / (1.0 - p));
    draw(static_cast<scalar_t*>(out), n, seed, first,
         Forward<scalar_t>{static_cast<const scalar_t*>(x), mask, (1.0 - p) * philox::kTwo32,
                           scale});
  });
}

}  // namespace ember::dropout_math
