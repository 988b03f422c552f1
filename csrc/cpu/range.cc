// arange and linspace. Compiled once, for the baseline instruction set (a plain .cc, not
// .simd.cc): start + step * i must not be contracted into an FMA on some CPUs and not on
// others, so that the values are the same on every machine.
#include "cpu/fill.h"
#include "ember/range_values.h"

namespace ember::cpu {
namespace {

template <class T, class Formula>
void generate(T* out, int64_t n, const Formula& f) {
  parallel_for(0, n, kGrainSize, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) out[i] = f(i);
  });
}

}  // namespace

void arange_kernel(void* out, DType dtype, int64_t n, double start, double step) {
  EMBER_DISPATCH_NUMERIC(dtype, "arange", [&] {
    generate(static_cast<scalar_t*>(out), n, range::Arange<scalar_t>(start, step));
  });
}

void linspace_kernel(void* out, DType dtype, int64_t n, double start, double end) {
  EMBER_DISPATCH_NUMERIC(dtype, "linspace", [&] {
    generate(static_cast<scalar_t*>(out), n, range::Linspace<scalar_t>(start, end, n));
  });
}

}  // namespace ember::cpu
