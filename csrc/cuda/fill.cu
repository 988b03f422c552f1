// fill_: one element per thread in a grid-stride loop; only the bytes matter, so one kernel per
// element size serves every dtype.
//   dst: TensorIter operand 0, n elements of Word, any strides
#include <cstring>

#include "cuda/fill.h"
#include "cuda/launch.h"
#include "cuda/offset_calculator.h"

namespace ember::cuda {
namespace {

template <class Word>
__global__ void fill_strided(char* dst, OffsetCalculator<1> calc, int64_t n, Word value) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += step) {
    int64_t offset[1];
    calc.offsets(i, offset);
    *reinterpret_cast<Word*>(dst + offset[0]) = value;
  }
}

template <class Word>
void fill_words(const TensorIter& iter, const void* value) {
  const int64_t n = iter.numel();
  if (n == 0) return;
  Word w;
  std::memcpy(&w, value, sizeof(Word));
  constexpr int kThreads = 256;
  const int blocks = blocks_for(n, kThreads, 4096);
  EMBER_LAUNCH(fill_strided<Word>, blocks, kThreads, 0, nullptr, iter.data(0),
               OffsetCalculator<1>(iter), n, w);
}

}  // namespace

void fill(const TensorIter& iter, size_t itemsize, const void* value) {
  switch (itemsize) {
    case 1: return fill_words<uint8_t>(iter, value);
    case 4: return fill_words<uint32_t>(iter, value);
    case 8: return fill_words<uint64_t>(iter, value);
    default: throw Error("fill_: unsupported element size");
  }
}

}  // namespace ember::cuda
