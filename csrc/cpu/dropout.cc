// Dropout in one pass: draw, mask and scale per Philox block (core/dropout_math.h).
//   x, out: n contiguous elements of T; mask: n contiguous bools
#include "cpu/dropout.h"

#include "core/dropout_math.h"
#include "cpu/philox_blocks.h"
#include "ember/parallel.h"

namespace ember::cpu {

void dropout_kernel(const void* x, void* out, bool* mask, DType dtype, int64_t n, uint64_t seed,
                    uint64_t first, double p) {
  dropout_math::forward(kDraw, x, out, mask, dtype, n, seed, first, p);
}

void dropout_backward_kernel(const void* grad, const bool* mask, void* out, DType dtype,
                             int64_t n, double scale) {
  EMBER_DISPATCH_FLOATING(dtype, "dropout_backward", [&] {
    const scalar_t* g = static_cast<const scalar_t*>(grad);
    scalar_t* o = static_cast<scalar_t*>(out);
    const scalar_t s = static_cast<scalar_t>(scale);
    parallel_for(0, n, kGrainSize, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) o[i] = dropout_math::apply(g[i], mask[i], s);
    });
  });
}

}  // namespace ember::cpu
