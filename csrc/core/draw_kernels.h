// The dtype dispatch of the random and range kernels, written once for both devices: each
// function picks the functor of ember/random_draw.h or ember/range_values.h for the dtype and
// hands it to the device's runner,
//   draw(T* out, int64_t n, uint64_t seed, uint64_t first, const Op& op)  (random), or
//   fill(T* out, int64_t n, const Formula& f)                             (range),
// which cpu/random.cc, cpu/range.cc and cuda/random.cu, cuda/range.cu implement.
#pragma once

#include <cstdint>

#include "ember/dtype.h"
#include "ember/random_draw.h"
#include "ember/range_values.h"

namespace ember::draw_kernels {

template <class Draw>
void uniform(const Draw& draw, void* out, DType dtype, int64_t n, uint64_t seed, uint64_t first,
             double low, double high) {
  EMBER_DISPATCH_FLOATING(dtype, "uniform_", [&] {
    draw(static_cast<scalar_t*>(out), n, seed, first, philox::uniform_op<scalar_t>(low, high));
  });
}

template <class Draw>
void normal(const Draw& draw, void* out, DType dtype, int64_t n, uint64_t seed, uint64_t first,
            double mean, double std) {
  EMBER_DISPATCH_FLOATING(dtype, "normal_", [&] {
    draw(static_cast<scalar_t*>(out), n, seed, first,
         philox::Normal<scalar_t>{static_cast<scalar_t>(mean), static_cast<scalar_t>(std)});
  });
}

template <class Draw>
void random(const Draw& draw, void* out, DType dtype, int64_t n, uint64_t seed, uint64_t first,
            int64_t low, uint64_t range) {
  EMBER_DISPATCH_NUMERIC(dtype, "random_", [&] {
    draw(static_cast<scalar_t*>(out), n, seed, first,
         philox::RandomInt<scalar_t>{static_cast<uint64_t>(low), range});
  });
}

// p: null for the constant p_scalar, else n contiguous values of p_dtype on the draw's device.
template <class Draw>
void bernoulli(const Draw& draw, void* out, DType dtype, int64_t n, uint64_t seed, uint64_t first,
               double p_scalar, const void* p, DType p_dtype) {
  EMBER_DISPATCH_ALL(dtype, "bernoulli_", [&] {
    using T = scalar_t;
    T* o = static_cast<T*>(out);
    if (p == nullptr) {
      draw(o, n, seed, first,
           philox::Bernoulli<T, philox::ConstantThreshold>{{p_scalar * philox::kTwo32}});
    } else {
      EMBER_DISPATCH_FLOATING(p_dtype, "bernoulli", [&] {
        using Threshold = philox::TensorThreshold<scalar_t>;
        draw(o, n, seed, first,
             philox::Bernoulli<T, Threshold>{Threshold{static_cast<const scalar_t*>(p)}});
      });
    }
  });
}

template <class Fill>
void arange(const Fill& fill, void* out, DType dtype, int64_t n, double start, double step) {
  EMBER_DISPATCH_NUMERIC(dtype, "arange", [&] {
    fill(static_cast<scalar_t*>(out), n, range::Arange<scalar_t>(start, step));
  });
}

template <class Fill>
void linspace(const Fill& fill, void* out, DType dtype, int64_t n, double start, double end) {
  EMBER_DISPATCH_NUMERIC(dtype, "linspace", [&] {
    fill(static_cast<scalar_t*>(out), n, range::Linspace<scalar_t>(start, end, n));
  });
}

}  // namespace ember::draw_kernels
