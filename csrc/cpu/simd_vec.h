// Portable vectors for the *.simd.cc kernels (cpu/dispatch.h): GCC/Clang vector extensions as
// wide as the instruction set of the compilation (16, 32 or 64 bytes), whole-vector loads and
// stores, and partial ones (the first n lanes: one masked access with AVX-512); per-thread
// scratch. Include it only
// from a *.simd.cc: everything lands in its namespace ember::cpu::EMBER_CPU_NS.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "cpu/dispatch.h"

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace ember::cpu {
namespace EMBER_CPU_NS {

#if defined(__AVX512F__)
constexpr int kVecBytes = 64;
#elif defined(__AVX2__)
constexpr int kVecBytes = 32;
#else
constexpr int kVecBytes = 16;
#endif

// Vec<T>: values; IVec<T>: integer lanes of the same width (lane_index each, what a comparison
// of two Vec<T> gives).
template <class T>
struct VecOf;
template <>
struct VecOf<float> {
  typedef float type __attribute__((vector_size(kVecBytes)));
  typedef int32_t index __attribute__((vector_size(kVecBytes)));
  typedef int32_t lane_index;
};
template <>
struct VecOf<double> {
  typedef double type __attribute__((vector_size(kVecBytes)));
  typedef int64_t index __attribute__((vector_size(kVecBytes)));
  typedef int64_t lane_index;
};
template <class T>
using Vec = typename VecOf<T>::type;
template <class T>
using IVec = typename VecOf<T>::index;
template <class T>
constexpr int64_t kLanes = kVecBytes / sizeof(T);

template <class T>
inline Vec<T> load(const T* p) {
  Vec<T> v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

template <class T>
inline void store(T* p, const Vec<T>& v) {
  std::memcpy(p, &v, sizeof v);
}

// The first n (1 <= n <= kLanes<T>) values, zeros in the other lanes.
template <class T>
inline Vec<T> load_n(const T* p, int64_t n) {
#if defined(__AVX512F__)
  if constexpr (sizeof(T) == 4)
    return (Vec<T>)_mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << n) - 1), p);
  else
    return (Vec<T>)_mm512_maskz_loadu_pd(static_cast<__mmask8>((1u << n) - 1), p);
#else
  Vec<T> v{};
  std::memcpy(&v, p, static_cast<size_t>(n) * sizeof(T));
  return v;
#endif
}

// p[0, n) = the first n (1 <= n <= kLanes<T>) lanes of v.
template <class T>
inline void store_n(T* p, const Vec<T>& v, int64_t n) {
#if defined(__AVX512F__)
  if constexpr (sizeof(T) == 4)
    _mm512_mask_storeu_ps(p, static_cast<__mmask16>((1u << n) - 1), (__m512)v);
  else
    _mm512_mask_storeu_pd(p, static_cast<__mmask8>((1u << n) - 1), (__m512d)v);
#else
  std::memcpy(p, &v, static_cast<size_t>(n) * sizeof(T));
#endif
}

// dst[0, n) = src[0, n * stride) taken every stride elements; stride 2 (the column phases of
// a stride-2 layer) by vector shuffles, reading no further than src[2 * (n - 1)].
template <class T>
inline void gather_stride(const T* src, int64_t stride, T* dst, int64_t n) {
  int64_t t = 0;
#if defined(__GNUC__) && !defined(__clang__)
  if (stride == 2) {
    constexpr int64_t V = kLanes<T>;
    IVec<T> even;
    for (int64_t l = 0; l < V; ++l) even[l] = static_cast<typename VecOf<T>::lane_index>(2 * l);
    for (; t < n; t += V) {
      const int64_t m = n - t < V ? n - t : V;  // outputs of this vector
      const int64_t needed = 2 * m - 1;          // source elements they read
      const T* from = src + 2 * t;
      const Vec<T> a = needed >= V ? load(from) : load_n(from, needed);
      const Vec<T> b = needed > V ? load_n(from + V, needed - V) : Vec<T>{};
      const Vec<T> v = __builtin_shuffle(a, b, even);
      if (m == V)
        store(dst + t, v);
      else
        store_n(dst + t, v, m);
    }
    return;
  }
#endif
  for (; t < n; ++t) dst[t] = src[t * stride];
}

inline int64_t ceil_div(int64_t a, int64_t b) { return a >= 0 ? (a + b - 1) / b : -(-a / b); }

// Grow-only scratch of each thread, reused across calls; every element used is written first.
template <class T>
T* thread_scratch(size_t elements) {
  thread_local std::vector<T> buffer;
  if (buffer.size() < elements) buffer.resize(elements);
  return buffer.data();
}

}  // namespace EMBER_CPU_NS
}  // namespace ember::cpu
