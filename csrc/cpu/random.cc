#include "cpu/random.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "core/draw_kernels.h"
#include "cpu/philox_blocks.h"
#include "ember/parallel.h"

namespace ember::cpu {

int64_t float_draw_blocks(DType dtype, int64_t n) {
  const int64_t per = dtype == DType::Float32 ? kDraws32PerBlock : kDraws64PerBlock;
  return (n + per - 1) / per;
}

void uniform_kernel(void* out, DType dtype, int64_t n, uint64_t seed, uint64_t first, double low,
                    double high) {
  draw_kernels::uniform(kDraw, out, dtype, n, seed, first, low, high);
}

void normal_kernel(void* out, DType dtype, int64_t n, uint64_t seed, uint64_t first, double mean,
                   double std) {
  draw_kernels::normal(kDraw, out, dtype, n, seed, first, mean, std);
}

void random_kernel(void* out, DType dtype, int64_t n, uint64_t seed, uint64_t first, int64_t low,
                   uint64_t range) {
  draw_kernels::random(kDraw, out, dtype, n, seed, first, low, range);
}

void bernoulli_kernel(void* out, DType dtype, int64_t n, uint64_t seed, uint64_t first,
                      double p_scalar, const void* p, DType p_dtype) {
  draw_kernels::bernoulli(kDraw, out, dtype, n, seed, first, p_scalar, p, p_dtype);
}

void randperm_kernel(void* out, DType dtype, int64_t n, uint64_t seed, uint64_t first) {
  std::vector<std::pair<uint64_t, int64_t>> keyed(static_cast<size_t>(n));
  for_blocks<philox::kDraws64PerBlock>(n, seed, first, [&](const uint32_t* w, int64_t i0, int64_t c) {
    for (int64_t k = 0; k < c; ++k) keyed[i0 + k] = {philox::draw64(w, k), i0 + k};
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
