// arange and linspace: one element per thread in a grid-stride loop.
//   out: n contiguous elements of T, out[i] = formula(i) (ember/range_values.h)
#include <type_traits>

#include "core/draw_kernels.h"
#include "cuda/fill.h"
#include "cuda/launch.h"

namespace ember::cuda {
namespace {

template <class T, class Formula>
__global__ void range_values(T* out, int64_t n, Formula f) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += step)
    out[i] = f(i);
}

constexpr auto kFill = [](auto* out, int64_t n, const auto& f) {
  using T = std::remove_pointer_t<decltype(out)>;
  constexpr int kThreads = 256;
  const int blocks = blocks_for(n, kThreads, 4096);
  EMBER_LAUNCH((range_values<T, std::decay_t<decltype(f)>>), blocks, kThreads, 0, nullptr, out, n,
               f);
};

}  // namespace

void arange_kernel(void* out, DType dtype, int64_t n, double start, double step) {
  draw_kernels::arange(kFill, out, dtype, n, start, step);
}

void linspace_kernel(void* out, DType dtype, int64_t n, double start, double end) {
  draw_kernels::linspace(kFill, out, dtype, n, start, end);
}

}  // namespace ember::cuda
