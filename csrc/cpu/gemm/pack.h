// Packing: copies of A and B laid out in the order the micro-kernel reads them, with partial
// panels padded with zeros so that the micro-kernel only ever sees whole tiles.
//   A micro-panel: mr x kc, ap[p * mr + i] = op(A)(i0 + i, p0 + p), zero for i >= m
//   B micro-panel: kc x nr, bp[p * nr + j] = op(B)(p0 + p, j0 + j), zero for j >= n
#pragma once

#include <cstdint>

#include "cpu/gemm/gemm.h"

namespace ember::cpu {

template <class T>
void pack_a_panel(const GemmArgs<T>& g, int64_t i0, int64_t p0, int64_t m, int64_t kc, int mr,
                  T* ap);
template <class T>
void pack_b_panel(const GemmArgs<T>& g, int64_t p0, int64_t j0, int64_t kc, int64_t n, int nr,
                  T* bp);

}  // namespace ember::cpu
