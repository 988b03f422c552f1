// Row loops shared by the elementwise kernels: apply a functor over a TensorIter with a fast
// path for contiguous rows, one for a broadcast scalar operand (stride 0), and a strided
// fallback. The fast paths are plain indexed loops the compiler vectorizes per ISA.
//
// Only for *.simd.cc files: everything lives in the per-ISA namespace (see cpu/dispatch.h).
#pragma once

#include "core/elementwise_scalar.h"
#include "core/tensor_iter.h"
#include "cpu/dispatch.h"

namespace ember::cpu {
namespace EMBER_CPU_NS {

// Elementwise ops that cost far more than a memory access (exp, pow, ...) are worth a thread
// at a smaller size.
constexpr int64_t kCostlyGrain = kGrainSize / 8;

template <class T>
inline T load(const char* p) { return *reinterpret_cast<const T*>(p); }

template <class Out, class In, class F>
void unary_loop(const TensorIter& iter, const F& f, int64_t grain = kGrainSize) {
  iter.for_each(
      [&](char** data, const int64_t* strides, int64_t n) {
        if (strides[0] == sizeof(Out) && strides[1] == sizeof(In)) {
          Out* out = reinterpret_cast<Out*>(data[0]);
          const In* in = reinterpret_cast<const In*>(data[1]);
          for (int64_t i = 0; i < n; ++i) out[i] = f(in[i]);
        } else {
          for (int64_t i = 0; i < n; ++i)
            *reinterpret_cast<Out*>(data[0] + i * strides[0]) =
                f(load<In>(data[1] + i * strides[1]));
        }
      },
      grain);
}

template <class Out, class In, class F>
void binary_loop(const TensorIter& iter, const F& f, int64_t grain = kGrainSize) {
  iter.for_each(
      [&](char** data, const int64_t* strides, int64_t n) {
        Out* out = reinterpret_cast<Out*>(data[0]);
        const In* a = reinterpret_cast<const In*>(data[1]);
        const In* b = reinterpret_cast<const In*>(data[2]);
        const bool out_contiguous = strides[0] == sizeof(Out);
        if (out_contiguous && strides[1] == sizeof(In) && strides[2] == sizeof(In)) {
          for (int64_t i = 0; i < n; ++i) out[i] = f(a[i], b[i]);
        } else if (out_contiguous && strides[1] == sizeof(In) && strides[2] == 0) {
          const In scalar = *b;
          for (int64_t i = 0; i < n; ++i) out[i] = f(a[i], scalar);
        } else if (out_contiguous && strides[1] == 0 && strides[2] == sizeof(In)) {
          const In scalar = *a;
          for (int64_t i = 0; i < n; ++i) out[i] = f(scalar, b[i]);
        } else {
          for (int64_t i = 0; i < n; ++i)
            *reinterpret_cast<Out*>(data[0] + i * strides[0]) =
                f(load<In>(data[1] + i * strides[1]), load<In>(data[2] + i * strides[2]));
        }
      },
      grain);
}

}  // namespace EMBER_CPU_NS
}  // namespace ember::cpu
