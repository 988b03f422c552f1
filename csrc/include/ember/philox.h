// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011), the
// counter-based generator behind ember's random numbers, and the conversions from its 32-bit
// words to unit-interval floats.
//
// Everything here is plain integer and floating-point arithmetic on fixed-width types, so the
// same header compiles for the CPU and (through EMBER_HOST_DEVICE) inside a CUDA kernel: a value
// depends only on (seed, counter), never on which thread computes it. How the counters are
// assigned to the elements of a tensor is described in ember/random.h.
#pragma once

#include <cstdint>

#include "ember/host_device.h"

namespace ember::philox {

// The published constants: multipliers of the two S-box halves and the Weyl key increments
// (golden ratio and sqrt(3) - 1, as 32-bit fractions).
constexpr uint32_t kMul0 = 0xD2511F53u;
constexpr uint32_t kMul1 = 0xCD9E8D57u;
constexpr uint32_t kWeyl0 = 0x9E3779B9u;
constexpr uint32_t kWeyl1 = 0xBB67AE85u;
constexpr int kRounds = 10;

EMBER_HOST_DEVICE inline void philox_round(uint32_t ctr[4], const uint32_t key[2]) {
  const uint64_t p0 = static_cast<uint64_t>(kMul0) * ctr[0];
  const uint64_t p1 = static_cast<uint64_t>(kMul1) * ctr[2];
  const uint32_t hi0 = static_cast<uint32_t>(p0 >> 32), lo0 = static_cast<uint32_t>(p0);
  const uint32_t hi1 = static_cast<uint32_t>(p1 >> 32), lo1 = static_cast<uint32_t>(p1);
  const uint32_t c1 = ctr[1], c3 = ctr[3];
  ctr[0] = hi1 ^ c1 ^ key[0];
  ctr[1] = lo1;
  ctr[2] = hi0 ^ c3 ^ key[1];
  ctr[3] = lo0;
}

// out = Philox4x32-10(counter, key); out may alias counter.
EMBER_HOST_DEVICE inline void philox4x32_10(const uint32_t counter[4], const uint32_t key[2],
                                            uint32_t out[4]) {
  uint32_t c[4] = {counter[0], counter[1], counter[2], counter[3]};
  uint32_t k[2] = {key[0], key[1]};
  for (int r = 0; r < kRounds; ++r) {
    if (r > 0) {
      k[0] += kWeyl0;
      k[1] += kWeyl1;
    }
    philox_round(c, k);
  }
  for (int i = 0; i < 4; ++i) out[i] = c[i];
}

// Block `index` of the stream of `seed`: counter = (lo32(index), hi32(index), 0, 0),
// key = (lo32(seed), hi32(seed)).
EMBER_HOST_DEVICE inline void block(uint64_t seed, uint64_t index, uint32_t out[4]) {
  const uint32_t counter[4] = {static_cast<uint32_t>(index), static_cast<uint32_t>(index >> 32),
                               0u, 0u};
  const uint32_t key[2] = {static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32)};
  philox4x32_10(counter, key, out);
}

// Two words as one 64-bit value, the first word high.
EMBER_HOST_DEVICE inline uint64_t join64(uint32_t hi, uint32_t lo) {
  return (static_cast<uint64_t>(hi) << 32) | lo;
}

// [0, 1) from the top 24 bits: every float32 result is exact and 1 is never reached.
EMBER_HOST_DEVICE inline float unit_float(uint32_t w) {
  return static_cast<float>(w >> 8) * (1.0f / 16777216.0f);
}
// (0, 1] from the top 24 bits, for logarithms.
EMBER_HOST_DEVICE inline float unit_float_open0(uint32_t w) {
  return static_cast<float>((w >> 8) + 1u) * (1.0f / 16777216.0f);
}
// [0, 1) from the top 53 bits.
EMBER_HOST_DEVICE inline double unit_double(uint64_t x) {
  return static_cast<double>(x >> 11) * (1.0 / 9007199254740992.0);
}
EMBER_HOST_DEVICE inline double unit_double_open0(uint64_t x) {
  return static_cast<double>((x >> 11) + 1u) * (1.0 / 9007199254740992.0);
}

// floor(x * range / 2^64): maps a uniform 64-bit x onto [0, range) with a bias below
// range / 2^64 (Lemire's multiply-shift, without the rejection step).
EMBER_HOST_DEVICE inline uint64_t mulhi64(uint64_t x, uint64_t range) {
  const uint64_t x_lo = x & 0xFFFFFFFFu, x_hi = x >> 32;
  const uint64_t r_lo = range & 0xFFFFFFFFu, r_hi = range >> 32;
  // Each partial sum below stays under 2^64: (2^32 - 1)^2 + 2 (2^32 - 1) = 2^64 - 1.
  const uint64_t t = x_hi * r_lo + ((x_lo * r_lo) >> 32);
  const uint64_t mid = (t & 0xFFFFFFFFu) + x_lo * r_hi;
  return x_hi * r_hi + (t >> 32) + (mid >> 32);
}

}  // namespace ember::philox
