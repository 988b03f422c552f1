// arange and linspace. Compiled once, for the baseline instruction set (a plain .cc, not
// .simd.cc): start + step * i must not be contracted into an FMA on some CPUs and not on
// others, so that the values are the same on every machine.
#include "core/draw_kernels.h"
#include "cpu/fill.h"

namespace ember::cpu {
namespace {

constexpr auto kFill = [](auto* out, int64_t n, const auto& f) {
  parallel_for(0, n, kGrainSize, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) out[i] = f(i);
  });
};

}  // namespace

void arange_kernel(void* out, DType dtype, int64_t n, double start, double step) {
  draw_kernels::arange(kFill, out, dtype, n, start, step);
}

void linspace_kernel(void* out, DType dtype, int64_t n, double start, double end) {
  draw_kernels::linspace(kFill, out, dtype, n, start, end);
}

}  // namespace ember::cpu
