// Embedding backward as a scatter-add. Threads split the columns, so that no two write the
// same element and the sum over rows keeps one order (deterministic).
//   grad: (n, dim); indices: (n); out: (num_weights, dim); all contiguous
#include "cpu/embedding.h"

#include <algorithm>

#include "ember/parallel.h"

namespace ember::cpu {

void embedding_backward_kernel(const void* grad, const int64_t* indices, void* out, DType dtype,
                               int64_t n, int64_t dim, int64_t num_weights,
                               int64_t padding_idx) {
  EMBER_DISPATCH_FLOATING(dtype, "embedding_backward", [&] {
    const scalar_t* g = static_cast<const scalar_t*>(grad);
    scalar_t* o = static_cast<scalar_t*>(out);
    // Work per column: zeroing num_weights elements and adding n.
    const int64_t grain = std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, n + num_weights));
    parallel_for(0, dim, grain, [&](int64_t d0, int64_t d1) {
      for (int64_t r = 0; r < num_weights; ++r)
        std::fill(o + r * dim + d0, o + r * dim + d1, scalar_t(0));
      for (int64_t i = 0; i < n; ++i) {
        const int64_t r = indices[i];
        if (r == padding_idx) continue;
        const scalar_t* src = g + i * dim;
        scalar_t* dst = o + r * dim;
        for (int64_t d = d0; d < d1; ++d) dst[d] += src[d];
      }
    });
  });
}

}  // namespace ember::cpu
