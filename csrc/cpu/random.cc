#include "cpu/random.h"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "ember/parallel.h"
#include "ember/philox.h"

namespace ember::cpu {
namespace {

// A block costs ten rounds of multiplies; this many make a thread's work worth starting.
constexpr int64_t kBlockGrain = 2048;
constexpr double kTwoPi = 6.283185307179586476925286766559;
// Bernoulli thresholds are p * 2^32: p = 1 is above every 32-bit word, p = 0 below none.
constexpr double kTwo32 = 4294967296.0;

// Calls fn(w, i0, count) for every block of the call, where w holds the block's four words
// and elements [i0, i0 + count) are the ones it feeds.
template <int64_t PerBlock, class Fn>
void for_blocks(int64_t n, uint64_t seed, uint64_t first, const Fn& fn) {
  const int64_t blocks = (n + PerBlock - 1) / PerBlock;
  parallel_for(0, blocks, kBlockGrain, [&](int64_t b0, int64_t b1) {
    uint32_t w[4];
    for (int64_t b = b0; b < b1; ++b) {
      philox::block(seed, first + static_cast<uint64_t>(b), w);
      const int64_t i0 = b * PerBlock;
      fn(w, i0, std::min(PerBlock, n - i0));
    }
  });
}

uint64_t draw64(const uint32_t w[4], int64_t k) { return philox::join64(w[2 * k], w[2 * k + 1]); }

template <class T>
void uniform_typed(T* out, int64_t n, uint64_t seed, uint64_t first, double low, double high) {
  const T lo = static_cast<T>(low), span = static_cast<T>(high - low);
  // Rounding of lo + span * u can reach high; the largest value below it takes its place.
  const T below_high = std::nextafter(static_cast<T>(high), lo);
  auto value = [&](T u) {
    const T v = lo + span * u;
    return v < static_cast<T>(high) ? v : below_high;
  };
  if constexpr (std::is_same_v<T, float>) {
    for_blocks<kDraws32PerBlock>(n, seed, first, [&](const uint32_t* w, int64_t i0, int64_t c) {
      for (int64_t k = 0; k < c; ++k) out[i0 + k] = value(philox::unit_float(w[k]));
    });
  } else {
    for_blocks<kDraws64PerBlock>(n, seed, first, [&](const uint32_t* w, int64_t i0, int64_t c) {
      for (int64_t k = 0; k < c; ++k) out[i0 + k] = value(philox::unit_double(draw64(w, k)));
    });
  }
}

template <class T>
void normal_typed(T* out, int64_t n, uint64_t seed, uint64_t first, double mean, double std) {
  const T mu = static_cast<T>(mean), sigma = static_cast<T>(std);
  // Writes the Box-Muller pair of (u1 in (0, 1], u2 in [0, 1)) to out[0] and, when c > 1, out[1].
  auto pair = [&](T u1, T u2, T* o, int64_t c) {
    const T r = std::sqrt(T(-2) * std::log(u1));
    const T theta = static_cast<T>(kTwoPi) * u2;
    o[0] = mu + sigma * (r * std::cos(theta));
    if (c > 1) o[1] = mu + sigma * (r * std::sin(theta));
  };
  if constexpr (std::is_same_v<T, float>) {
    for_blocks<kDraws32PerBlock>(n, seed, first, [&](const uint32_t* w, int64_t i0, int64_t c) {
      for (int64_t k = 0; k < c; k += 2)
        pair(philox::unit_float_open0(w[k]), philox::unit_float(w[k + 1]), out + i0 + k, c - k);
    });
  } else {
    for_blocks<kDraws64PerBlock>(n, seed, first, [&](const uint32_t* w, int64_t i0, int64_t c) {
      pair(philox::unit_double_open0(draw64(w, 0)), philox::unit_double(draw64(w, 1)), out + i0, c);
    });
  }
}

}  // namespace

int64_t float_draw_blocks(DType dtype, int64_t n) {
  const int64_t per = dtype == DType::Float32 ? kDraws32PerBlock : kDraws64PerBlock;
  return (n + per - 1) / per;
}

void uniform_kernel(void* out, DType dtype, int64_t n, uint64_t seed, uint64_t first, double low,
                    double high) {
  EMBER_DISPATCH_FLOATING(dtype, "uniform_", [&] {
    uniform_typed(static_cast<scalar_t*>(out), n, seed, first, low, high);
  });
}

void normal_kernel(void* out, DType dtype, int64_t n, uint64_t seed, uint64_t first, double mean,
                   double std) {
  EMBER_DISPATCH_FLOATING(dtype, "normal_", [&] {
    normal_typed(static_cast<scalar_t*>(out), n, seed, first, mean, std);
  });
}

void random_kernel(void* out, DType dtype, int64_t n, uint64_t seed, uint64_t first, int64_t low,
                   uint64_t range) {
  EMBER_DISPATCH_NUMERIC(dtype, "random_", [&] {
    scalar_t* o = static_cast<scalar_t*>(out);
    const uint64_t base = static_cast<uint64_t>(low);
    for_blocks<kDraws64PerBlock>(n, seed, first, [&](const uint32_t* w, int64_t i0, int64_t c) {
      for (int64_t k = 0; k < c; ++k)
        o[i0 + k] = static_cast<scalar_t>(
            static_cast<int64_t>(base + philox::mulhi64(draw64(w, k), range)));
    });
  });
}

void bernoulli_kernel(void* out, DType dtype, int64_t n, uint64_t seed, uint64_t first,
                      double p_scalar, const void* p, DType p_dtype) {
  EMBER_DISPATCH_ALL(dtype, "bernoulli_", [&] {
    scalar_t* o = static_cast<scalar_t*>(out);
    auto run = [&](auto threshold) {
      for_blocks<kDraws32PerBlock>(n, seed, first, [&](const uint32_t* w, int64_t i0, int64_t c) {
        for (int64_t k = 0; k < c; ++k)
          o[i0 + k] = static_cast<scalar_t>(static_cast<double>(w[k]) < threshold(i0 + k));
      });
    };
    if (p == nullptr) {
      const double t = p_scalar * kTwo32;
      run([t](int64_t) { return t; });
    } else {
      EMBER_DISPATCH_FLOATING(p_dtype, "bernoulli", [&] {
        const scalar_t* probs = static_cast<const scalar_t*>(p);
        run([probs](int64_t i) { return static_cast<double>(probs[i]) * kTwo32; });
      });
    }
  });
}

void randperm_kernel(void* out, DType dtype, int64_t n, uint64_t seed, uint64_t first) {
  std::vector<std::pair<uint64_t, int64_t>> keyed(static_cast<size_t>(n));
  for_blocks<kDraws64PerBlock>(n, seed, first, [&](const uint32_t* w, int64_t i0, int64_t c) {
    for (int64_t k = 0; k < c; ++k) keyed[i0 + k] = {draw64(w, k), i0 + k};
  });
  std::sort(keyed.begin(), keyed.end());
  EMBER_DISPATCH_NUMERIC(dtype, "randperm", [&] {
    scalar_t* o = static_cast<scalar_t*>(out);
    parallel_for(0, n, kGrainSize, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) o[i] = static_cast<scalar_t>(keyed[i].second);
    });
  });
}

}  // namespace ember::cpu
