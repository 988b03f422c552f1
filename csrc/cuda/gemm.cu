// The host side of the CUDA GEMM ladder: grid shapes, batch chunks and the choice of `auto`.
// The kernels and the buffer shapes they see are in cuda/gemm_kernels.cuh.
#include "cuda/gemm.h"

#include <algorithm>
#include <cstdint>

#include "cuda/gemm_kernels.cuh"
#include "cuda/launch.h"

namespace ember::cuda {
namespace {

using namespace gemm_kernels;

int64_t ceil_div(int64_t x, int64_t y) { return (x + y - 1) / y; }

// grid.y and grid.z are limited to 65535: larger batches, and more rows than 65535 of the
// smallest tile height (16) covers, go in several launches.
constexpr int64_t kMaxGridYZ = 65535;
constexpr int64_t kMaxRows = kMaxGridYZ * 16;

template <class T>
dim3 grid_for(const GemmArgs<T>& g, const GemmBatch& batch, int bm, int bn) {
  return dim3(unsigned(ceil_div(g.n, bn)), unsigned(ceil_div(g.m, bm)), unsigned(batch.count));
}

// Whether every problem's operand can be read 128 bits at a time along its contiguous dim.
template <class T>
bool aligned_128(const T* p, int64_t ld, int64_t stride, int64_t count) {
  constexpr int64_t V = 16 / sizeof(T);
  return reinterpret_cast<uintptr_t>(p) % 16 == 0 && ld % V == 0 && (count == 1 || stride % V == 0);
}

template <class T>
Alignment alignment_of(const GemmArgs<T>& g, const GemmBatch& batch) {
  return {aligned_128(g.a, g.lda, batch.stride_a, batch.count),
          aligned_128(g.b, g.ldb, batch.stride_b, batch.count)};
}

// Warp-tile sizes per precision: every thread's accumulators stay in registers (ptxas reports
// no spills for sm_80/sm_90): float 128 x 128 over 2 x 4 warps (8 x 4 outputs per step, 64 in
// all per thread), double 64 x 64 over 2 x 2 warps (32 per thread).
template <class T>
struct WarpTiles;
template <>
struct WarpTiles<float> {
  static constexpr int kBM = 128, kBN = 128, kWarpsM = 2, kWarpsN = 4;
};
template <>
struct WarpTiles<double> {
  static constexpr int kBM = 64, kBN = 64, kWarpsM = 2, kWarpsN = 2;
};

// `auto`: matrix-vector-like shapes waste most of a tile, so they take one thread per output;
// mid-sized products take the 64 x 64 register tiles (more blocks to fill the SMs); large ones
// the warp tiles. 128-bit loads whenever the operands allow.
GemmVariant choose(int64_t m, int64_t n) {
  if (std::min(m, n) <= 8) return GemmVariant::Naive;
  if (m * n <= 256 * 256) return GemmVariant::Vectorized;
  return GemmVariant::WarpTiled;
}

template <class T>
void launch(const GemmArgs<T>& g, const GemmBatch& batch, GemmVariant variant) {
  // 16 x 16 threads for naive and tiled; 64 x 64 x 8 block tiles of 4 x 4 per thread (256
  // threads) for register and vectorized.
  constexpr int kTile = 16, kBM = 64, kBN = 64, kBK = 8, kTM = 4, kTN = 4;
  constexpr int kRegisterThreads = (kBM / kTM) * (kBN / kTN);
  using W = WarpTiles<T>;
  switch (variant == GemmVariant::Auto ? choose(g.m, g.n) : variant) {
    case GemmVariant::Naive:
      EMBER_LAUNCH((gemm_naive<T, kTile, kTile>), grid_for(g, batch, kTile, kTile),
                   dim3(kTile, kTile), 0, 0, g, batch);
      return;
    case GemmVariant::Tiled:
      EMBER_LAUNCH((gemm_tiled<T, kTile>), grid_for(g, batch, kTile, kTile), dim3(kTile, kTile),
                   0, 0, g, batch);
      return;
    case GemmVariant::Register:
      EMBER_LAUNCH((gemm_register<T, kBM, kBN, kBK, kTM, kTN, false>),
                   grid_for(g, batch, kBM, kBN), dim3(kRegisterThreads), 0, 0, g, batch,
                   Alignment{});
      return;
    case GemmVariant::Vectorized:
      EMBER_LAUNCH((gemm_register<T, kBM, kBN, kBK, kTM, kTN, true>),
                   grid_for(g, batch, kBM, kBN), dim3(kRegisterThreads), 0, 0, g, batch,
                   alignment_of(g, batch));
      return;
    case GemmVariant::WarpTiled:
    case GemmVariant::Auto:  // not reached: choose() names a rung
      EMBER_LAUNCH((gemm_warp<T, W::kBM, W::kBN, kBK, W::kWarpsM, W::kWarpsN, kTM, kTN>),
                   grid_for(g, batch, W::kBM, W::kBN), dim3(32 * W::kWarpsM * W::kWarpsN), 0, 0,
                   g, batch, alignment_of(g, batch));
      return;
  }
}

}  // namespace

template <class T>
void gemm(const GemmArgs<T>& args, const GemmBatch& batch, GemmVariant variant) {
  if (args.m == 0 || args.n == 0 || batch.count == 0) return;
  for (int64_t z0 = 0; z0 < batch.count; z0 += kMaxGridYZ) {
    for (int64_t i0 = 0; i0 < args.m; i0 += kMaxRows) {
      GemmArgs<T> g = args;
      g.m = std::min(kMaxRows, args.m - i0);
      g.a += z0 * batch.stride_a + (args.trans_a ? i0 : i0 * args.lda);
      g.b += z0 * batch.stride_b;
      g.c += z0 * batch.stride_c + i0 * args.ldc;
      if (args.epilogue.bias_kind == BiasKind::Column) g.epilogue.bias += i0;
      GemmBatch chunk = batch;
      chunk.count = std::min(kMaxGridYZ, batch.count - z0);
      launch(g, chunk, variant);
    }
  }
}

template void gemm<float>(const GemmArgs<float>&, const GemmBatch&, GemmVariant);
template void gemm<double>(const GemmArgs<double>&, const GemmBatch&, GemmVariant);

}  // namespace ember::cuda
