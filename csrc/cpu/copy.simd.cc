#include <cstring>

#include "cpu/copy.h"

namespace ember::cpu {
namespace EMBER_CPU_NS {
namespace {

template <class Dst, class Src>
void copy_rows(const TensorIter& iter) {
  iter.for_each([](char** data, const int64_t* strides, int64_t n) {
    char* dst = data[0];
    const char* src = data[1];
    if (strides[0] == sizeof(Dst) && strides[1] == sizeof(Src)) {
      if constexpr (std::is_same_v<Dst, Src>) {
        std::memcpy(dst, src, n * sizeof(Dst));
      } else {
        Dst* d = reinterpret_cast<Dst*>(dst);
        const Src* s = reinterpret_cast<const Src*>(src);
        for (int64_t i = 0; i < n; ++i) d[i] = static_cast<Dst>(s[i]);
      }
    } else if (strides[0] == sizeof(Dst) && strides[1] == 0) {
      Dst* d = reinterpret_cast<Dst*>(dst);
      const Dst value = static_cast<Dst>(*reinterpret_cast<const Src*>(src));
      for (int64_t i = 0; i < n; ++i) d[i] = value;
    } else {
      for (int64_t i = 0; i < n; ++i)
        *reinterpret_cast<Dst*>(dst + i * strides[0]) =
            static_cast<Dst>(*reinterpret_cast<const Src*>(src + i * strides[1]));
    }
  });
}

void copy_kernel(const TensorIter& iter, DType dst, DType src) {
  EMBER_DISPATCH_ALL(dst, "copy", [&] {
    using Dst = scalar_t;
    EMBER_DISPATCH_ALL(src, "copy", [&] { copy_rows<Dst, scalar_t>(iter); });
  });
}

}  // namespace
}  // namespace EMBER_CPU_NS

EMBER_REGISTER_DISPATCH(copy_stub, &EMBER_CPU_NS::copy_kernel);

}  // namespace ember::cpu
