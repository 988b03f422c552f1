// Reductions that track positions: max/min with their indices (argmax/argmin), and the running
// sums and products of cumsum/cumprod.
#include <algorithm>

#include "cpu/reduce.h"
#include "cpu/reduce_common.h"
#include "ember/parallel.h"

namespace ember::cpu {
namespace EMBER_CPU_NS {
namespace {

// Columns tracked together when the reduced dim is an outer one: 4 KiB of contiguous input per
// row.
constexpr int64_t kColumnTile = 1024;

template <bool kMax, class T>
void arg_reduce(const T* x, T* values, int64_t* indices, ReduceShape s) {
  const int64_t O = s.outer, R = s.reduce, I = s.inner;
  if (I == 1) {
    parallel_for(0, O, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(R, 1)),
                 [&](int64_t b, int64_t e) {
                   for (int64_t o = b; o < e; ++o) {
                     const T* row = x + o * R;
                     T best = row[0];
                     int64_t at = 0;
                     for (int64_t r = 1; r < R; ++r)
                       if (beats<kMax>(row[r], best)) best = row[r], at = r;
                     if (values) values[o] = best;
                     indices[o] = at;
                   }
                 });
    return;
  }
  const int64_t ntiles = (I + kColumnTile - 1) / kColumnTile;
  const int64_t grain = std::max<int64_t>(1, kGrainSize / std::max<int64_t>(R * kColumnTile, 1));
  parallel_for(0, O * ntiles, grain, [&](int64_t b, int64_t e) {
    T best[kColumnTile];
    int64_t at[kColumnTile];
    for (int64_t t = b; t < e; ++t) {
      const int64_t o = t / ntiles, i0 = (t % ntiles) * kColumnTile;
      const int64_t w = std::min(kColumnTile, I - i0);
      const T* block = x + o * R * I + i0;
      for (int64_t i = 0; i < w; ++i) best[i] = block[i], at[i] = 0;
      for (int64_t r = 1; r < R; ++r) {
        const T* row = block + r * I;
        for (int64_t i = 0; i < w; ++i)
          if (beats<kMax>(row[i], best[i])) best[i] = row[i], at[i] = r;
      }
      for (int64_t i = 0; i < w; ++i) {
        if (values) values[o * I + i0 + i] = best[i];
        indices[o * I + i0 + i] = at[i];
      }
    }
  });
}

void arg_reduce_kernel(bool is_max, DType dtype, const void* x, void* values, int64_t* indices,
                       ReduceShape s) {
  EMBER_DISPATCH_ALL(dtype, is_max ? "max" : "min", [&] {
    const auto* in = static_cast<const scalar_t*>(x);
    auto* v = static_cast<scalar_t*>(values);
    is_max ? arg_reduce<true>(in, v, indices, s) : arg_reduce<false>(in, v, indices, s);
  });
}

template <bool kProd, class T>
void scan(const T* x, sum_acc_t<T>* out, ReduceShape s) {
  using A = sum_acc_t<T>;
  const int64_t R = s.reduce, I = s.inner;
  const auto step = [](A a, T b) { return kProd ? a * A(b) : a + A(b); };
  parallel_for(0, s.outer, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(R * I, 1)),
               [&](int64_t b, int64_t e) {
                 for (int64_t o = b; o < e; ++o) {
                   const T* in = x + o * R * I;
                   A* res = out + o * R * I;
                   if (R == 0) continue;
                   for (int64_t i = 0; i < I; ++i) res[i] = A(in[i]);
                   for (int64_t r = 1; r < R; ++r)
                     for (int64_t i = 0; i < I; ++i)
                       res[r * I + i] = step(res[(r - 1) * I + i], in[r * I + i]);
                 }
               });
}

void scan_kernel(bool is_prod, DType dtype, const void* x, void* out, ReduceShape s) {
  EMBER_DISPATCH_ALL(dtype, is_prod ? "cumprod" : "cumsum", [&] {
    const auto* in = static_cast<const scalar_t*>(x);
    auto* res = static_cast<sum_acc_t<scalar_t>*>(out);
    is_prod ? scan<true>(in, res, s) : scan<false>(in, res, s);
  });
}

}  // namespace
}  // namespace EMBER_CPU_NS

EMBER_REGISTER_DISPATCH(arg_reduce_stub, &EMBER_CPU_NS::arg_reduce_kernel);
EMBER_REGISTER_DISPATCH(scan_stub, &EMBER_CPU_NS::scan_kernel);

}  // namespace ember::cpu
