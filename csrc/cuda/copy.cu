// Strided copy with dtype conversion, one element per thread in a grid-stride loop.
//   dst: TensorIter operand 0, dtype Dst, any strides
//   src: operand 1, dtype Src, broadcast to dst's shape (byte stride 0 on broadcast dims)
#include "cuda/copy.h"
#include "cuda/launch.h"
#include "cuda/offset_calculator.h"

namespace ember::cuda {
namespace {

template <class Dst, class Src>
__global__ void copy_strided(char* dst, const char* src, OffsetCalculator<2> calc, int64_t n) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += step) {
    int64_t offset[2];
    calc.offsets(i, offset);
    *reinterpret_cast<Dst*>(dst + offset[0]) =
        static_cast<Dst>(*reinterpret_cast<const Src*>(src + offset[1]));
  }
}

}  // namespace

void copy(const TensorIter& iter, DType dst, DType src) {
  const int64_t n = iter.numel();
  if (n == 0) return;
  constexpr int kThreads = 256;
  const int blocks = blocks_for(n, kThreads, 4096);
  const OffsetCalculator<2> calc(iter);
  EMBER_DISPATCH_ALL(dst, "copy", [&] {
    using Dst = scalar_t;
    EMBER_DISPATCH_ALL(src, "copy", [&] {
      EMBER_LAUNCH((copy_strided<Dst, scalar_t>), blocks, kThreads, 0, nullptr, iter.data(0),
                   iter.data(1), calc, n);
    });
  });
}

}  // namespace ember::cuda
