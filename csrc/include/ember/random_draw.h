// The values of one Philox block, element by element, for each random op: the scheme of
// ember/random.h as host/device functors, shared by the CPU kernels (cpu/random.cc) and the CUDA
// kernels (cuda/random.cu) so that both give the same streams. Each functor maps the four words
// w of block b to the elements [b * kPerBlock, b * kPerBlock + count) of the call:
//   op(w, out + b * kPerBlock, count, b * kPerBlock).
#pragma once

#include <cmath>
#include <cstdint>

#include "ember/host_device.h"
#include "ember/philox.h"

namespace ember::philox {

// Values per 128-bit block for draws of 32 and of 64 bits.
constexpr int64_t kDraws32PerBlock = 4;
constexpr int64_t kDraws64PerBlock = 2;

EMBER_HOST_DEVICE inline uint64_t draw64(const uint32_t w[4], int64_t k) {
  return join64(w[2 * k], w[2 * k + 1]);
}

template <class T>
struct UnitDraw;  // u in [0, 1) and in (0, 1] from the k-th draw of a block, per dtype
template <>
struct UnitDraw<float> {
  static constexpr int64_t kPerBlock = kDraws32PerBlock;
  EMBER_HOST_DEVICE static float closed0(const uint32_t w[4], int64_t k) {
    return unit_float(w[k]);
  }
  EMBER_HOST_DEVICE static float open0(const uint32_t w[4], int64_t k) {
    return unit_float_open0(w[k]);
  }
};
template <>
struct UnitDraw<double> {
  static constexpr int64_t kPerBlock = kDraws64PerBlock;
  EMBER_HOST_DEVICE static double closed0(const uint32_t w[4], int64_t k) {
    return unit_double(draw64(w, k));
  }
  EMBER_HOST_DEVICE static double open0(const uint32_t w[4], int64_t k) {
    return unit_double_open0(draw64(w, k));
  }
};

// low + span * u on [low, high): a rounding that reaches high gives below_high, the largest
// value under it (computed on the host: nextafter(high, low)).
template <class T>
struct Uniform {
  static constexpr int64_t kPerBlock = UnitDraw<T>::kPerBlock;
  T low, span, high, below_high;
  EMBER_HOST_DEVICE void operator()(const uint32_t w[4], T* out, int64_t count, int64_t) const {
    for (int64_t k = 0; k < count; ++k) {
      const T v = hd::add_rn(low, hd::mul_rn(span, UnitDraw<T>::closed0(w, k)));
      out[k] = v < high ? v : below_high;
    }
  }
};

template <class T>
Uniform<T> uniform_op(double low, double high) {
  const T lo = static_cast<T>(low), hi = static_cast<T>(high);
  return {lo, static_cast<T>(high - low), hi, std::nextafter(hi, lo)};
}

// Box-Muller pairs (u1 in (0, 1], u2 in [0, 1)) -> (mean + std r cos, mean + std r sin). The
// transcendental functions differ by ulps between the CPU's libm and the device's.
template <class T>
struct Normal {
  static constexpr int64_t kPerBlock = UnitDraw<T>::kPerBlock;
  T mean, std;
  EMBER_HOST_DEVICE void operator()(const uint32_t w[4], T* out, int64_t count, int64_t) const {
    constexpr T kTwoPi = static_cast<T>(6.283185307179586476925286766559);
    for (int64_t k = 0; k < count; k += 2) {
      const T r = std::sqrt(T(-2) * std::log(UnitDraw<T>::open0(w, k)));
      const T theta = kTwoPi * UnitDraw<T>::closed0(w, k + 1);
      out[k] = mean + std * (r * std::cos(theta));
      if (k + 1 < count) out[k + 1] = mean + std * (r * std::sin(theta));
    }
  }
};

// low + floor(x * range / 2^64) for 64-bit draws x, wrapped to T.
template <class T>
struct RandomInt {
  static constexpr int64_t kPerBlock = kDraws64PerBlock;
  uint64_t low, range;
  EMBER_HOST_DEVICE void operator()(const uint32_t w[4], T* out, int64_t count, int64_t) const {
    for (int64_t k = 0; k < count; ++k)
      out[k] = static_cast<T>(static_cast<int64_t>(low + mulhi64(draw64(w, k), range)));
  }
};

// 32-bit draws w: element i is w < threshold(i) (= p * 2^32, exact: a power-of-two scaling), as
// T. Threshold: a callable on the element index i.
template <class T, class Threshold>
struct Bernoulli {
  static constexpr int64_t kPerBlock = kDraws32PerBlock;
  Threshold threshold;
  EMBER_HOST_DEVICE void operator()(const uint32_t w[4], T* out, int64_t count, int64_t i0) const {
    for (int64_t k = 0; k < count; ++k)
      out[k] = static_cast<T>(static_cast<double>(w[k]) < threshold(i0 + k));
  }
};

// Bernoulli thresholds are p * 2^32: p = 1 is above every 32-bit word, p = 0 below none.
constexpr double kTwo32 = 4294967296.0;

struct ConstantThreshold {
  double t;
  EMBER_HOST_DEVICE double operator()(int64_t) const { return t; }
};
template <class P>
struct TensorThreshold {
  const P* p;  // n contiguous probabilities, on the kernel's device
  EMBER_HOST_DEVICE double operator()(int64_t i) const {
    return static_cast<double>(p[i]) * kTwo32;
  }
};

}  // namespace ember::philox
