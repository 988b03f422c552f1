// Fused optimizer steps on the GPU: one launch per parameter tensor, one element per thread in
// a grid-stride loop, the rule of core/optim_update.h applied in registers.
//   param, grad, state[k]: buffers.n > 0 contiguous elements of buffers.dtype (device memory)
#include "cuda/launch.h"
#include "cuda/optim.h"

namespace ember::cuda {
namespace {

template <class Update, class T>
__global__ void optim_step_kernel(Update update, optim::TypedBuffers<T> buffers, int64_t n) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride) {
    update(i, buffers);
  }
}

template <template <class> class Update, class T, class Options>
void run_typed(const optim::Buffers& buffers, const Options& options) {
  constexpr int kThreads = 256;
  const int blocks = blocks_for(buffers.n, kThreads, 4096);
  EMBER_LAUNCH((optim_step_kernel<Update<T>, T>), blocks, kThreads, 0, nullptr, Update<T>(options),
               optim::TypedBuffers<T>(buffers), buffers.n);
}

template <template <class> class Update, class Options>
void run(const optim::Buffers& buffers, const Options& options) {
  if (buffers.dtype == DType::Float64) {
    run_typed<Update, double>(buffers, options);
  } else {
    run_typed<Update, float>(buffers, options);
  }
}

}  // namespace

#define EMBER_OPTIM_KERNEL(name, Name)                                              \
  void name##_step(const optim::Buffers& buffers, const ops::Name##Options& options) { \
    run<optim::Name##Update>(buffers, options);                                     \
  }
EMBER_FOR_EACH_OPTIMIZER(EMBER_OPTIM_KERNEL)
#undef EMBER_OPTIM_KERNEL

}  // namespace ember::cuda
