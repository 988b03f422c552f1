// Fused optimizer steps on the CPU: one pass over the parameter, its gradient and its state
// buffers, in parallel chunks; the loop over a chunk is plain enough for the compiler to
// vectorize for each instruction set this file is built for.
//   param, grad, state[k]: buffers.n contiguous elements of buffers.dtype
#include "cpu/optim.h"
#include "ember/parallel.h"

namespace ember::cpu {
namespace EMBER_CPU_NS {
namespace {

// An optimizer step reads and writes several buffers per element: a few thousand elements
// already pay for a thread.
constexpr int64_t kOptimGrain = kGrainSize / 4;

template <template <class> class Update, class T, class Options>
void run_typed(const optim::Buffers& buffers, const Options& options) {
  const Update<T> update(options);
  const optim::TypedBuffers<T> typed(buffers);
  parallel_for(0, buffers.n, kOptimGrain, [&](int64_t begin, int64_t end) {
    const Update<T> local = update;  // a private copy keeps its fields in registers
    const optim::TypedBuffers<T> b = typed;
    for (int64_t i = begin; i < end; ++i) local(i, b);
  });
}

template <template <class> class Update, class Options>
void run(const optim::Buffers& buffers, const Options& options) {
  if (buffers.dtype == DType::Float64) {
    run_typed<Update, double>(buffers, options);
  } else {
    run_typed<Update, float>(buffers, options);
  }
}

#define EMBER_OPTIM_KERNEL(name, Name)                                              \
  void name##_step(const optim::Buffers& buffers, const ops::Name##Options& options) { \
    run<optim::Name##Update>(buffers, options);                                     \
  }
EMBER_FOR_EACH_OPTIMIZER(EMBER_OPTIM_KERNEL)
#undef EMBER_OPTIM_KERNEL

}  // namespace
}  // namespace EMBER_CPU_NS

#define EMBER_REGISTER_OPTIM_KERNEL(name, Name) \
  EMBER_REGISTER_DISPATCH(name##_step_stub, &EMBER_CPU_NS::name##_step);
EMBER_FOR_EACH_OPTIMIZER(EMBER_REGISTER_OPTIM_KERNEL)
#undef EMBER_REGISTER_OPTIM_KERNEL

}  // namespace ember::cpu
