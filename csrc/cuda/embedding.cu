// Embedding backward as a scatter-add on the device: zero the output, then one thread per
// element of grad adds it to its row with atomicAdd (the order of the sums is not fixed).
//   grad: (n, dim); indices: (n); out: (num_weights, dim); all contiguous
#include "cuda/embedding.h"
#include "cuda/launch.h"

namespace ember::cuda {
namespace {

constexpr int kThreads = 256;
constexpr int64_t kMaxBlocks = 4096;

template <class T>
__global__ void zero_elements(T* out, int64_t count) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < count;
       i += step)
    out[i] = T(0);
}

template <class T>
__global__ void scatter_add_rows(const T* grad, const int64_t* indices, T* out, int64_t n,
                                 int64_t dim, int64_t padding_idx) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t e = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; e < n * dim;
       e += step) {
    const int64_t r = indices[e / dim];
    if (r != padding_idx) atomicAdd(out + r * dim + e % dim, grad[e]);
  }
}

}  // namespace

void embedding_backward_kernel(const void* grad, const int64_t* indices, void* out, DType dtype,
                               int64_t n, int64_t dim, int64_t num_weights,
                               int64_t padding_idx) {
  EMBER_DISPATCH_FLOATING(dtype, "embedding_backward", [&] {
    scalar_t* o = static_cast<scalar_t*>(out);
    if (num_weights * dim > 0)
      EMBER_LAUNCH(zero_elements<scalar_t>, blocks_for(num_weights * dim, kThreads, kMaxBlocks),
                   kThreads, 0, nullptr, o, num_weights * dim);
    if (n * dim > 0)
      EMBER_LAUNCH(scatter_add_rows<scalar_t>, blocks_for(n * dim, kThreads, kMaxBlocks), kThreads,
                   0, nullptr, static_cast<const scalar_t*>(grad), indices, o, n, dim, padding_idx);
  });
}

}  // namespace ember::cuda
