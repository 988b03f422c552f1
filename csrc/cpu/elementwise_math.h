// Branch-free exp, expm1, log, log1p, tanh, sigmoid and erf for float and double, written so that
// the compiler vectorizes a loop calling them for each instruction set (libm's calls do not
// vectorize without -ffast-math). Only arithmetic, comparisons that become selects, and integer
// bit manipulation through memcpy; no table lookups, no float<->int64 conversions (AVX2 has
// none). Accuracy: within 2 ulp over the whole range, subnormal results included.
//
// Only for *.simd.cc files: everything lives in the per-ISA namespace (see cpu/dispatch.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "core/elementwise_scalar.h"
#include "cpu/dispatch.h"

namespace ember::cpu {
namespace EMBER_CPU_NS {
namespace math {

template <class T> struct Traits;
template <> struct Traits<float> {
  using U = uint32_t;
  static constexpr int kMantBits = 23;
  static constexpr U kBias = 127;
  static constexpr float kShift = 0x1.8p23f;  // adding it rounds to an integer in the low bits
  static constexpr float kLn2Hi = 0x1.62e4p-1f, kLn2Lo = 0x1.7f7d1cp-20f;
  static constexpr float kExpLo = -104.0f, kExpHi = 89.0f;  // exp is 0 / inf beyond
  static constexpr float kTanhSat = 9.5f;                     // tanh rounds to +-1 beyond
  static constexpr float kExpm1Lo = -80.0f;                   // keeps 2^n normal
  static constexpr int kScaleSplit = 60;
  static constexpr int kExpTerms = 8;    // Taylor terms of expm1 on |r| <= ln2/2
  static constexpr int kLogTerms = 6;    // terms of atanh's series on |s| <= 0.172
  // erf (see erf() below): the split between its two forms, where it rounds to +-1, and the
  // coefficients of each form's polynomial (lowest degree first).
  static constexpr float kErfSplit = 1.0f, kErfSat = 3.92f, kErfMid = 2.46f, kErfHalf = 1.46f;
  static constexpr float kErfSmall[] = {
      0.12837916612625122f, -0.3761262595653534f, 0.1128358244895935f, -0.026853691786527634f,
      0.005188099108636379f, -0.0008008189033716917f, 7.847259257687256e-05f};
  static constexpr float kErfLarge[] = {
      0.21382157504558563f, -0.1115061491727829f, 0.05525315925478935f, -0.02644485980272293f,
      0.011099550873041153f, -0.005476950202137232f, 0.004224251955747604f,
      0.0023559306282550097f, 0.00211299117654562f};
};
template <> struct Traits<double> {
  using U = uint64_t;
  static constexpr int kMantBits = 52;
  static constexpr U kBias = 1023;
  static constexpr double kShift = 0x1.8p52;
  static constexpr double kLn2Hi = 0x1.62e42fee00000p-1, kLn2Lo = 0x1.a39ef35793c76p-33;
  static constexpr double kExpLo = -746.0, kExpHi = 710.0;
  static constexpr double kTanhSat = 19.5;
  static constexpr double kExpm1Lo = -700.0;
  static constexpr int kScaleSplit = 100;
  static constexpr int kExpTerms = 14;
  static constexpr int kLogTerms = 12;
  static constexpr double kErfSplit = 1.0, kErfSat = 5.92, kErfMid = 3.46, kErfHalf = 2.46;
  static constexpr double kErfSmall[] = {
      0.12837916709551256, -0.37612638903183515, 0.1128379167094405, -0.026866170643090832,
      0.005223977605955977, -0.0008548325921832884, 0.00012055293361789941,
      -1.4924708324571507e-05, 1.6447084274239356e-06, -1.6205964194101388e-07,
      1.3709519207384055e-08, -7.77682913736281e-10};
  static constexpr double kErfLarge[] = {
      0.15696382929760125, -0.10378609215565646, 0.06649660791598593, -0.04138625267887595,
      0.025073824247069956, -0.014814107116360492, 0.008547104937117191, -0.004829139446012311,
      0.0026690612870182923, -0.0013947362426931927, 0.0008923236872792049,
      -0.0003537218809129161, -0.00019638857168046548, -0.0010763582626454283,
      -0.000775434316404977, 0.0003917348376585163, 0.001824673933917325, 0.002104060849768375,
      0.0013358224579856505, 0.00046653000222057674, 7.406918640834966e-05};
};

template <class T>
inline typename Traits<T>::U bits(T x) {
  typename Traits<T>::U u;
  std::memcpy(&u, &x, sizeof u);
  return u;
}
template <class T>
inline T from_bits(typename Traits<T>::U u) {
  T x;
  std::memcpy(&x, &u, sizeof x);
  return x;
}

// 2^n for an integer n in the normal range, from n + kShift's bit pattern (see reduce()).
template <class T>
inline T pow2(typename Traits<T>::U shifted_n) {
  using Tr = Traits<T>;
  return from_bits<T>((shifted_n - bits(Tr::kShift) + Tr::kBias) << Tr::kMantBits);
}

// x = n*ln2 + r with n integer and |r| <= ln2/2; returns r and n as a double-precision value
// and as the bit pattern of n + kShift.
template <class T>
struct Reduced {
  T r, n;
  typename Traits<T>::U shifted_n;
};
template <class T>
inline Reduced<T> reduce(T x) {
  using Tr = Traits<T>;
  T k = x * T(1.4426950408889634) + Tr::kShift;
  const auto shifted = bits(k);
  k -= Tr::kShift;
  const T r = (x - k * Tr::kLn2Hi) - k * Tr::kLn2Lo;
  return {r, k, shifted};
}

// expm1(r) for |r| <= ln2/2 by its Taylor series (Horner), without cancellation near 0.
template <class T>
inline T expm1_poly(T r) {
  constexpr int N = Traits<T>::kExpTerms;
  T p = T(1);
  // Fully unrolled so the caller's loop has no inner loop and vectorizes.
#pragma GCC unroll 16
  for (int k = N; k >= 2; --k) p = T(1) + p * (r * (T(1) / T(k)));  // unrolled: constants
  return p * r;
}

template <class T>
inline T exp(T x) {
  using Tr = Traits<T>;
  x = x < Tr::kExpLo ? Tr::kExpLo : x;  // NaN passes both (comparisons are false)
  x = x > Tr::kExpHi ? Tr::kExpHi : x;
  const Reduced<T> red = reduce(x);
  const T p = expm1_poly(red.r) + T(1);
  // 2^n as two factors, so results near overflow or in the subnormal range round once.
  const bool negative = red.n < T(0);
  using U = typename Traits<T>::U;
  const U split = negative ? U(Tr::kScaleSplit) : U(0) - U(Tr::kScaleSplit);
  const T scale1 = pow2<T>(red.shifted_n + split);
  const T scale2 = negative ? from_bits<T>((Tr::kBias - Tr::kScaleSplit) << Tr::kMantBits)
                            : from_bits<T>((Tr::kBias + Tr::kScaleSplit) << Tr::kMantBits);
  return p * scale1 * scale2;
}

// expm1(x) = 2^n * expm1(r) + (2^n - 1), which has no cancellation near 0; for large n, where
// 2^n could overflow, (expm1(r) + 1) * 2^n - 1 with 2^n split in two, as in exp().
template <class T>
inline T expm1(T x) {
  using Tr = Traits<T>;
  using U = typename Tr::U;
  x = x < Tr::kExpm1Lo ? Tr::kExpm1Lo : x;  // -1 to the last bit beyond
  x = x > Tr::kExpHi ? Tr::kExpHi : x;
  const Reduced<T> red = reduce(x);
  const T p = expm1_poly(red.r);
  const bool big = red.n > T(Tr::kScaleSplit);
  const T scale = pow2<T>(big ? red.shifted_n - U(Tr::kScaleSplit) : red.shifted_n);
  const T split = from_bits<T>((Tr::kBias + Tr::kScaleSplit) << Tr::kMantBits);
  return big ? (p + T(1)) * scale * split - T(1) : scale * p + (scale - T(1));
}

template <class T>
inline T tanh(T x) {
  using U = typename Traits<T>::U;
  constexpr U sign_mask = U(1) << (sizeof(T) * 8 - 1);
  const U sign = bits(x) & sign_mask;
  T a = from_bits<T>(bits(x) ^ sign);
  a = a > Traits<T>::kTanhSat ? Traits<T>::kTanhSat : a;
  const T e = expm1(T(-2) * a);  // tanh(a) = -e / (e + 2), which is >= 0
  return from_bits<T>((bits(e / (e + T(2))) & ~sign_mask) | sign);
}

template <class T>
inline T sigmoid(T x) {
  return scalar::sigmoid(x, [](T v) { return exp(v); });
}

template <class T>
inline T log(T x) {
  using Tr = Traits<T>;
  using U = typename Tr::U;
  constexpr U kMantMask = (U(1) << Tr::kMantBits) - 1;
  // Subnormal inputs are scaled into the normal range first.
  const bool subnormal = x < std::numeric_limits<T>::min();
  const T xs = subnormal ? x * T(U(1) << Tr::kMantBits) : x;
  const U u = bits(xs);
  // Biased exponent as a float: the exponent bits OR-ed into 2^mant's mantissa.
  const T two_mant = T(U(1) << Tr::kMantBits);
  T e = from_bits<T>(bits(two_mant) | (u >> Tr::kMantBits)) - two_mant;
  e -= T(Tr::kBias) + (subnormal ? T(Tr::kMantBits) : T(0));
  T m = from_bits<T>((u & kMantMask) | bits(T(1)));  // [1, 2)
  const bool high = m > T(1.4142135623730951);
  m = high ? m * T(0.5) : m;
  e = high ? e + T(1) : e;
  // log(m) = 2 atanh(s), s = (m - 1) / (m + 1); m - 1 is exact.
  const T s = (m - T(1)) / (m + T(1));
  const T z = s * s;
  T p = T(1) / T(2 * Tr::kLogTerms + 1);
#pragma GCC unroll 16
  for (int k = Tr::kLogTerms - 1; k >= 1; --k) p = T(1) / T(2 * k + 1) + p * z;
  const T log_m = T(2) * s + T(2) * s * z * p;
  T result = e * Tr::kLn2Hi + (e * Tr::kLn2Lo + log_m);
  constexpr T inf = std::numeric_limits<T>::infinity();
  result = x == inf ? inf : result;
  result = x == T(0) ? -inf : result;
  result = (x < T(0) || x != x) ? std::numeric_limits<T>::quiet_NaN() : result;
  return result;
}

// log(u) for u = 1 + x rounded, plus the first-order correction for that rounding.
template <class T>
inline T log1p(T x) {
  const T u = T(1) + x;
  const T log_u = log(u);
  const T corrected = log_u + (x - (u - T(1))) / u;
  constexpr T inf = std::numeric_limits<T>::infinity();
  return (u == T(0) || u == inf) ? log_u : corrected;
}

// p[0] + p[1] v + p[2] v^2 + ... (Horner), unrolled so that the caller's loop vectorizes.
template <class T, size_t N>
inline T polynomial(const T (&p)[N], T v) {
  T acc = p[N - 1];
#pragma GCC unroll 32
  for (int k = static_cast<int>(N) - 2; k >= 0; --k) acc = p[k] + acc * v;
  return acc;
}

// erf in two forms, both evaluated and one selected (so the loop vectorizes):
//   |x| < kErfSplit:  x + x * P(x^2), P a near-minimax fit of erf(x)/x - 1 in relative error;
//   otherwise:        sign(x) * (1 - exp(-x^2) * Q(t)), Q a near-minimax fit of
//                     erfc(|x|) exp(x^2) on [kErfSplit, kErfSat] in t = (|x| - mid) / half,
//                     weighted by exp(-x^2) so that it is the error of erf that is bounded.
// From kErfSat on, erf rounds to +-1 (inf included).
// Writing x + x*P keeps the leading term exact, and in the second form exp(-x^2) * Q(t) is
// below 0.16, so the errors of exp and of x^2's rounding shrink in the sum: within 1.5 ulp
// everywhere, float and double, with or without FMA; erf(-0) = -0, NaN stays NaN.
template <class T>
inline T erf(T x) {
  using Tr = Traits<T>;
  using U = typename Tr::U;
  constexpr U sign_mask = U(1) << (sizeof(T) * 8 - 1);
  const U sign = bits(x) & sign_mask;
  const T magnitude = from_bits<T>(bits(x) ^ sign);
  const T small = x + x * polynomial(Tr::kErfSmall, x * x);
  T a = magnitude > Tr::kErfSat ? Tr::kErfSat : magnitude;
  a = a < Tr::kErfSplit ? Tr::kErfSplit : a;  // keeps the unused form finite
  const T t = (a - Tr::kErfMid) * (T(1) / Tr::kErfHalf);
  const T tail = exp(-(a * a)) * polynomial(Tr::kErfLarge, t);
  const T one_minus_tail = magnitude >= Tr::kErfSat ? T(1) : T(1) - tail;
  const T large = from_bits<T>(bits(one_minus_tail) | sign);
  // NaN fails the comparison and takes `small`, which is NaN.
  return magnitude >= Tr::kErfSplit ? large : small;
}

}  // namespace math
}  // namespace EMBER_CPU_NS
}  // namespace ember::cpu
