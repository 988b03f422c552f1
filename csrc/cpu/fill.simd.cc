#include <cstring>

#include "cpu/fill.h"

namespace ember::cpu {
namespace EMBER_CPU_NS {
namespace {

template <class Word>
void fill_words(const TensorIter& iter, const void* value) {
  Word w;
  std::memcpy(&w, value, sizeof(Word));
  iter.for_each([w](char** data, const int64_t* strides, int64_t n) {
    char* dst = data[0];
    if (strides[0] == sizeof(Word)) {
      Word* d = reinterpret_cast<Word*>(dst);
      for (int64_t i = 0; i < n; ++i) d[i] = w;
    } else {
      for (int64_t i = 0; i < n; ++i) std::memcpy(dst + i * strides[0], &w, sizeof(Word));
    }
  });
}

// Only the bytes matter, so one kernel per element size serves every dtype.
void fill_kernel(const TensorIter& iter, size_t itemsize, const void* value) {
  switch (itemsize) {
    case 1: return fill_words<uint8_t>(iter, value);
    case 4: return fill_words<uint32_t>(iter, value);
    case 8: return fill_words<uint64_t>(iter, value);
    default: throw Error("fill_: unsupported element size");
  }
}

}  // namespace
}  // namespace EMBER_CPU_NS

EMBER_REGISTER_DISPATCH(fill_stub, &EMBER_CPU_NS::fill_kernel);

}  // namespace ember::cpu
